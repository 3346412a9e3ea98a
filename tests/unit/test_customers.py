"""Customer markers: one spelling per identifier, keyed with the pepper, never the value."""

from datetime import date

import pytest

from passaparola.domain import clients
from passaparola.domain.customers import MarkerKeys, normalise_address
from passaparola.domain.orders import Identifiers

pytestmark = pytest.mark.unit

KEYS = MarkerKeys(b"pepper-for-tests")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Via Roma 1, 20100 Milano", "VIA ROMA 1 20100 MILANO"),
        ("Via Roma 1,\n20100  Milano", "via roma 1 - 20100 milano."),
        ("Hauptstraße 5-b, Köln", "HAUPTSTRASSE 5B KOLN"),
        ("\uff2d\uff29\uff2c\uff21\uff2e\uff2f", "milano"),  # full-width MILANO, as some keyboards type it
        ("Flat 3/B, 10 Downing St.", "flat 3b 10 downing st"),
    ],
)
def test_one_address_written_two_ways_is_one_address(one, other):
    assert normalise_address(one) == normalise_address(other)
    assert KEYS.of(Identifiers("a@example.com", address=one)) == KEYS.of(
        Identifiers("a@example.com", address=other)
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [("Via Roma 1", "Via Roma 11"), ("Via Roma 1, Milano", "Via Roma 1, Torino")],
)
def test_different_addresses_stay_different(one, other):
    assert normalise_address(one) != normalise_address(other)


def test_the_email_marker_follows_the_mailbox_not_its_spelling():
    assert KEYS.of(Identifiers("Anna.Rossi+shop@googlemail.com")) == KEYS.of(
        Identifiers("annarossi@gmail.com")
    )


def test_the_email_marker_alone_is_the_one_an_order_with_that_mailbox_leaves():
    order = Identifiers("Anna.Rossi+shop@googlemail.com", customer_id="cus_1", address="Via Roma 1")
    assert KEYS.email("annarossi@gmail.com") == KEYS.of(order)["email"]


def test_markers_are_keyed_hashes_of_each_identifier_given():
    who = Identifiers(
        "anna@example.com", customer_id=" cus_1 ", address="Via Roma 1", payment_fingerprint="fp_9"
    )
    marked = KEYS.of(who)
    assert set(marked) == {"email", "customer_id", "address", "payment"}
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in marked.values())
    assert not any(raw in value for value in marked.values() for raw in ("anna", "cus_1", "roma", "fp_9"))
    assert MarkerKeys(b"another pepper").of(who)["address"] != marked["address"]
    assert marked["customer_id"] == KEYS.of(Identifiers("b@example.com", customer_id="cus_1"))["customer_id"]


def test_identifiers_not_sent_leave_no_marker():
    assert set(KEYS.of(Identifiers("anna@example.com", address=" ,. "))) == {"email"}


def test_a_client_is_its_network_for_one_day():
    salt, day = b"salt", date(2026, 11, 30)
    home = clients.client_of_day(salt, "2001:db8:1:2:aaaa::1", day)
    assert clients.client_of_day(salt, "2001:db8:1:2:bbbb::7", day) == home  # the same /64
    assert clients.client_of_day(salt, "2001:db8:1:3::1", day) != home
    assert clients.client_of_day(salt, "2001:db8:1:2:aaaa::1", date(2026, 12, 1)) != home
    assert clients.client_of_day(salt, "203.0.113.7", day) != clients.client_of_day(salt, "203.0.113.8", day)
    assert "203.0.113.7" not in clients.client_of_day(salt, "203.0.113.7", day)
