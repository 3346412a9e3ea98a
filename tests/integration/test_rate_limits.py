"""Per-client limits on the public routes, tried as the scripts of the issue: coupon farming
(a claim a second with made-up addresses), code guessing, enrolment and click floods."""

import time
from datetime import timedelta

import pytest

from passaparola import wiring
from passaparola.domain.codes import ALPHABET
from passaparola_localstack import template as local_template
from tests.support import items_under

pytestmark = pytest.mark.integration

SCRIPT = "198.51.100.66"  # the client sending the burst
PERSON = "192.0.2.10"  # someone else, at the same time
TEMPLATE = local_template.load()


def guess(n):
    """A well-formed code nobody was given: what a guessing script sends."""
    body = "".join(ALPHABET[(n // len(ALPHABET) ** i) % len(ALPHABET)] for i in range(9))
    return f"GIFT-{body}"


# route: (the function's variable, the template parameter, one request of the attack)
ROUTES = {
    "enrol": (
        "ENROL_RATE_LIMIT",
        "EnrolRateLimit",
        lambda client, code, n, ip: client.call(
            "POST", "/referrers", {"campaign": "gift", "email": f"someone{n}@example.com"}, source_ip=ip
        ),
    ),
    # The routes that mail a link to the address typed also count each address
    # (tests/unit/http/test_link_limits.py); these send a new address each time.
    "me": (
        "DATA_LINK_RATE_LIMIT",
        "DataLinkRateLimit",
        lambda client, code, n, ip: client.call(
            "POST", "/me/link", {"email": f"who{n}@example.com"}, source_ip=ip
        ),
    ),
    "sign-in": (
        "SIGN_IN_RATE_LIMIT",
        "SignInRateLimit",
        lambda client, code, n, ip: client.call(
            "POST", "/admin/sign-in", {"email": f"who{n}@example.com"}, source_ip=ip
        ),
    ),
    "claim": (
        "CLAIM_RATE_LIMIT",
        "ClaimRateLimit",
        lambda client, code, n, ip: client.call(
            "POST", "/claims", {"code": code, "email": f"made.up.{n}@example.com"}, source_ip=ip
        ),
    ),
    "code": (
        "CODE_RATE_LIMIT",
        "CodeLookupRateLimit",
        lambda client, code, n, ip: client.call("GET", f"/codes/{guess(n)}", source_ip=ip),
    ),
    "click": (
        "CLICK_RATE_LIMIT",
        "ClickRateLimit",
        lambda client, code, n, ip: client.call("GET", f"/r/{code}", source_ip=ip),
    ),
}


@pytest.fixture
def code(client):
    return client.enrol("anna@example.com", campaign="gift").body["code"]


def set_limit(monkeypatch, route, value):
    monkeypatch.setenv(ROUTES[route][0], value)
    wiring.reset()


def default_limit(route):
    """(requests, seconds) of the route's default limit, from the template."""
    hits, seconds = TEMPLATE["Parameters"][ROUTES[route][1]]["Default"].split("/")
    return int(hits), int(seconds)


@pytest.mark.parametrize("route", ROUTES)
def test_a_script_meets_the_default_limit_within_seconds(client, clock, code, monkeypatch, route):
    hits, seconds = default_limit(route)
    set_limit(monkeypatch, route, f"{hits}/{seconds}")
    send = ROUTES[route][2]
    started = time.monotonic()
    statuses = [send(client, code, n, SCRIPT).status for n in range(hits + 3)]
    took = time.monotonic() - started
    assert 429 not in statuses[:hits], statuses
    assert statuses[hits:] == [429, 429, 429]
    print(f"\n{route}: first 429 after {hits} requests ({hits}/{seconds} s), {took:.2f} s")


@pytest.mark.parametrize("route", ROUTES)
def test_over_the_limit_a_client_waits_for_its_window_and_no_one_else_does(
    client, clock, code, monkeypatch, route
):
    set_limit(monkeypatch, route, "3/60")
    send = ROUTES[route][2]
    for n in range(3):
        assert send(client, code, n, SCRIPT).status != 429
    refused = send(client, code, 3, SCRIPT)
    assert refused.status == 429
    assert (refused.body["error"], refused.headers["cache-control"]) == ("rate_limited", "no-store")
    assert refused.body["message"]
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert send(client, code, 4, PERSON).status != 429  # another client is not slowed down
    clock.advance(seconds=wait - 1)
    assert send(client, code, 5, SCRIPT).status == 429
    clock.advance(seconds=1)  # the window has passed
    assert send(client, code, 6, SCRIPT).status != 429


def test_each_route_has_its_own_count(client, clock, code, monkeypatch):
    for route in ROUTES:
        monkeypatch.setenv(ROUTES[route][0], "1/60")
    wiring.reset()
    for route in ROUTES:
        assert ROUTES[route][2](client, code, 0, SCRIPT).status != 429, route
    for route in ROUTES:
        assert ROUTES[route][2](client, code, 1, SCRIPT).status == 429, route


def test_an_ipv6_client_is_one_64_block_and_its_address_is_never_stored(client, clock, code, monkeypatch):
    """A subscriber gets a whole /64 and could rotate through it; the next /64 is someone else."""
    set_limit(monkeypatch, "claim", "2/60")
    send = ROUTES["claim"][2]
    rotating = ["2001:db8:7:42::1", "2001:db8:7:42:ffff:ffff:ffff:fffe", "2001:db8:7:42:abcd::3"]
    assert [send(client, code, n, ip).status for n, ip in enumerate(rotating)] == [201, 201, 429]
    assert send(client, code, 3, "2001:db8:7:43::1").status == 201
    everything = repr(items_under(client.stack, ""))
    assert "2001:db8" not in everything
    assert SCRIPT not in everything
    counters = items_under(client.stack, "LIMIT#")
    assert counters
    assert all(c["expires_at"] <= (clock.now + timedelta(minutes=3)).timestamp() for c in counters)
