from datetime import UTC, datetime

import pytest

from passaparola.domain.clients import address_key, client_key, network
from passaparola.domain.errors import RateLimited
from passaparola.domain.limits import Limit, Window
from passaparola.services.limits import InstanceRateLimiter
from tests.fakes import person_key
from tests.support import Clock

pytestmark = pytest.mark.unit

SALT = b"s" * 32


def test_a_limit_reads_as_requests_per_seconds():
    assert Limit.parse("30/60") == Limit(30, 60)


@pytest.mark.parametrize("text", ["", "30", "30/", "/60", "a/60", "0/60", "30/0", "-1/60"])
def test_a_limit_that_does_not_read_is_refused(text):
    with pytest.raises(ValueError, match="rate limit"):
        Limit.parse(text)


def test_windows_are_fixed_and_retry_after_counts_to_their_end():
    moment = datetime(2026, 11, 30, 12, 0, 42, 500000, tzinfo=UTC)
    window = Limit(10, 60).window(moment)
    assert window == Window(int(moment.replace(second=0, microsecond=0).timestamp()), window.start + 60)
    assert window.retry_after(moment) == 18  # 17.5 s, rounded up
    assert window.retry_after(moment.replace(second=59, microsecond=999999)) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("2001:db8:7:42::1", "2001:db8:7:42:ffff:ffff:ffff:ffff"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64_block(one, other):
    assert network(one) == network(other)
    assert client_key(SALT, one) == client_key(SALT, other)


@pytest.mark.parametrize(
    ("one", "other"), [("2001:db8:7:42::1", "2001:db8:7:43::1"), ("198.51.100.7", "198.51.100.8")]
)
def test_neighbouring_clients_are_counted_apart(one, other):
    assert client_key(SALT, one) != client_key(SALT, other)


def test_the_client_key_is_a_salted_hash_that_holds_no_address():
    key = client_key(SALT, "198.51.100.7")
    assert "198" not in key and len(key) == 32
    assert client_key(b"t" * 32, "198.51.100.7") != key


def test_the_in_memory_limit_forgets_each_window_when_the_next_begins():
    clock = Clock()
    clock.now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    limiter = InstanceRateLimiter(Limit(2, 60), SALT, clock)
    limiter.hit("198.51.100.7")
    limiter.hit("198.51.100.7")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("198.51.100.7")
    assert refused.value.retry_after == 60
    limiter.hit("198.51.100.8")
    clock.advance(seconds=60)
    limiter.hit("198.51.100.7")
    assert limiter._hits == {client_key(SALT, "198.51.100.7"): 1}  # the last window's clients are gone


def test_an_address_is_counted_by_a_keyed_hash_of_its_mailbox():
    salt = b"s" * 32
    key = address_key(salt, "Anna.Rossi@Example.com")
    assert key == address_key(salt, "anna.rossi@example.com")
    assert key != address_key(b"t" * 32, "anna.rossi@example.com")  # keyed: no salt, no look-up
    assert key != address_key(salt, "anna@example.com")
    assert "anna" not in key and person_key("anna.rossi@example.com") != key
