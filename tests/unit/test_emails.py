import hashlib

import pytest

from passaparola.domain import emails
from passaparola.domain.errors import InvalidInput, RejectedEmail

pytestmark = pytest.mark.unit

KEYS = emails.PersonKeys(b"pepper")


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
    assert KEYS.of(one) == KEYS.of(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("anna.rossi@outlook.com", "annarossi@outlook.com"),  # Outlook does not ignore dots
        ("anna+x@example.com", "anna@example.com"),  # unknown providers keep +tags
        ("anna@gmail.com", "anna@gmail.co"),
    ],
)
def test_different_mailboxes_stay_different(one, other):
    assert KEYS.of(one) != KEYS.of(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ref+x@your-own-domain.example", "ref@your-own-domain.example"),  # any domain
        ("Ref+a@shop.example", "ref+b@shop.example"),
        ("anna.rossi+x@googlemail.com", "annarossi@gmail.com"),
        ("anna+x@outlook.com", "anna@outlook.com"),
    ],
)
def test_the_self_referral_check_folds_a_tag_on_every_domain_and_only_compares(one, other):
    assert emails.same_mailbox(one, other)
    assert emails.same_mailbox(other, one)
    if "example" in one:
        # the address is still its own: kept, keyed and mailed as given
        assert KEYS.of(one) != KEYS.of(other)
        assert emails.clean(one) == one.lower()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("a.b@shop.example", "ab@shop.example"),  # dots fold only where the provider ignores them
        ("anna.rossi@outlook.com", "annarossi@outlook.com"),
        ("+x@shop.example", "+y@shop.example"),  # no mailbox before the tag: each its own
        ("ref@shop.example", "ref@other.example"),
        ("ref@shop.example", ""),  # an erased referrer: compared by key alone
        ("ref@shop.example", None),
        ("ref@shop.example", "not an address"),
    ],
)
def test_the_self_referral_check_keeps_other_mailboxes_apart(one, other):
    assert not emails.same_mailbox(one, other)


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


@pytest.mark.parametrize(
    "control", ["\x00", "\t", "\n", "\x1b", "\x7f", "\x9b", "\u200b", "\u202e", "\ud800"]
)
@pytest.mark.parametrize("where", ["start", "local part", "domain", "end"])
def test_an_address_with_a_control_character_anywhere_is_refused_by_name(control, where):
    address = {
        "start": f"{control}anna@example.com",
        "local part": f"an{control}na@example.com",
        "domain": f"anna@exam{control}ple.com",
        "end": f"anna@example.com{control}",
    }[where]
    with pytest.raises(InvalidInput) as raised:
        emails.clean(address)
    assert f"control character U+{ord(control):04X}" in raised.value.message


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("anna@bücher.example", "anna@xn--bcher-kva.example"),
        ("Anna@BÜCHER.Example", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
        ("anna@faß.de", "anna@xn--fa-hia.de"),  # IDNA 2008: not fass.de, someone else's domain
        (
            "anna@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
            "anna@example.com",
        ),  # full-width letters, as some keyboards type
        ("anna@пример.рф", "anna@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_an_international_domain_is_taken_in_its_ascii_form(typed, normalised):
    assert emails.clean(typed) == normalised
    assert KEYS.of(typed) == KEYS.of(normalised)


@pytest.mark.parametrize(
    "bad", ["anna@xn--.example", "anna@xn--zz-.example", "anna@a\u2488.example", "anna@-bü.de"]
)
def test_a_domain_that_is_no_valid_international_name_is_refused(bad):
    with pytest.raises(InvalidInput):
        emails.clean(bad)


@pytest.mark.parametrize(
    "address",
    [
        "k7x2mq9rpd@privaterelay.appleid.com",  # Apple's Hide My Email
        "a1b2c3d4e@mozmail.com",  # Firefox Relay
        "shop.x7q@annarossi.mozmail.com",  # Firefox Relay, a premium subdomain
        "quiet-otter-7@duck.com",  # DuckDuckGo Email Protection
        "newsletter.abc12@simplelogin.com",  # SimpleLogin and its alias domains
        "shop.k2@aleeas.com",
        "shop.k2@slmail.me",
    ],
)
def test_privacy_relays_are_not_disposable(address, monkeypatch):
    assert not emails.is_disposable(address)
    # Not even when a blocklist update lists the relay: people keep these addresses for years.
    domain = address.rsplit("@", 1)[1]
    monkeypatch.setattr(emails, "_disposable_domains", lambda: {domain, domain.split(".", 1)[-1]})
    assert not emails.is_disposable(address)
    emails.refuse_disposable(address)


def test_a_persons_key_is_a_keyed_hash_that_the_previous_bare_one_turns_into():
    address = "Anna.Rossi+shop@GoogleMail.com"
    bare = hashlib.sha256(b"annarossi@gmail.com").hexdigest()[:32]  # how 0.1.0 keyed her
    key = KEYS.of(address)
    assert key.startswith("k") and len(key) == 33 and bare not in key
    assert emails.PersonKeys(b"another pepper").of(address) != key  # no pepper, no look-up
    assert emails.is_previous(bare) and not emails.is_previous(key)
    assert KEYS.current(bare) == key  # an old key, in the table or a mailed link, becomes hers
    assert KEYS.current(key) == key
