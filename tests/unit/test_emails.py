import pytest

from passaparola.domain import emails
from passaparola.domain.errors import InvalidInput, RejectedEmail

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Anna.Rossi@gmail.com", "annarossi@gmail.com"),
        ("anna.rossi+shop@gmail.com", "annarossi@gmail.com"),
        ("a.n.n.a@googlemail.com", "anna@gmail.com"),
        ("anna+news@outlook.com", "anna@outlook.com"),
        ("ANNA@EXAMPLE.COM", "anna@example.com"),
    ],
)
def test_the_same_mailbox_has_the_same_identity(one, other):
    assert emails.identity(one) == emails.identity(other)
    assert emails.key(one) == emails.key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("anna.rossi@outlook.com", "annarossi@outlook.com"),  # Outlook does not ignore dots
        ("anna+x@example.com", "anna@example.com"),  # unknown providers keep +tags
        ("anna@gmail.com", "anna@gmail.co"),
    ],
)
def test_different_mailboxes_stay_different(one, other):
    assert emails.key(one) != emails.key(other)


@pytest.mark.parametrize(
    "bad", ["", "anna", "anna@", "@example.com", "anna@example", "an na@example.com", "a@b.c"]
)
def test_malformed_addresses_are_refused(bad):
    with pytest.raises(InvalidInput):
        emails.clean(bad)


@pytest.mark.parametrize("address", ["x@mailinator.com", "x@sub.mailinator.com", "X@10MinuteMail.com"])
def test_disposable_domains_are_refused(address):
    assert emails.is_disposable(address)
    with pytest.raises(RejectedEmail) as raised:
        emails.refuse_disposable(address)
    assert raised.value.code == "disposable_email"


def test_ordinary_domains_are_not_disposable():
    assert not emails.is_disposable("anna@gmail.com")
    emails.refuse_disposable("anna@example.com")
