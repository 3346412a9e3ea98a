"""The two routes that mail a link to the address typed, `/admin/sign-in` and `/me/link`:
limited per client (a few a minute) and per address (a few an hour), on fakes. Over either, a
429 with Retry-After and nothing sent; over the address's, the same answer whether the address
is known or not. The counters' adapter, and the per-client limits of the other routes, are on
moto (tests/integration/test_rate_limits.py)."""

from __future__ import annotations

import pytest

from passaparola.domain.limits import Limit
from tests.fakes import person_key
from tests.support import ADMIN

pytestmark = pytest.mark.unit

SCRIPT, PERSON = "198.51.100.66", "192.0.2.10"
ANNA = "anna@example.com"
# route: (its path, the body for an address, an address the kit knows)
ROUTES = {
    "sign-in": ("/admin/sign-in", lambda email: {"email": email}, ADMIN),
    "me": ("/me/link", lambda email: {"email": email}, ANNA),
}


@pytest.fixture
def anna(client, clock) -> None:
    assert client.enrol(ANNA, campaign="instant").status == 201


def _ask(client, route: str, email: str, ip: str = SCRIPT):
    path, body, _ = ROUTES[route]
    return client.call("POST", path, body(email), source_ip=ip)


def _sent(client) -> tuple[int, int]:
    client.run_links()
    return len(client.outbox()), len(client.adapters.sign_ins.links)


@pytest.mark.parametrize("route", ROUTES)
def test_a_client_gets_a_few_a_minute_then_waits_and_no_one_else_does(client, clock, anna, route):
    client.limits[route] = Limit(3, 60)
    for n in range(3):
        assert _ask(client, route, f"who{n}@example.com").status == 202
    before = _sent(client)
    refused = _ask(client, route, ROUTES[route][2])  # a known address: still nothing is sent
    assert refused.status == 429
    assert refused.body["error"] == "rate_limited"
    assert "network" in refused.body["message"]
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert _sent(client) == before
    assert _ask(client, route, "someone@example.com", PERSON).status == 202
    clock.advance(seconds=wait)
    assert _ask(client, route, "who9@example.com").status == 202


@pytest.mark.parametrize("route", ROUTES)
def test_an_address_gets_a_few_an_hour_and_the_refusal_does_not_say_whether_it_is_known(
    client, clock, anna, route
):
    client.limits[f"{route}@address"] = Limit(2, 3600)
    known, unknown = ROUTES[route][2], "nobody@example.com"
    # From different clients each time: the address's count is what stops them.
    ips = iter(f"192.0.2.{n}" for n in range(20, 40))
    for address in (known, unknown):
        assert [_ask(client, route, address, next(ips)).status for _ in range(2)] == [202, 202]
    before = _sent(client)
    # Another spelling of the same mailbox is the same count.
    refused = {a: _ask(client, route, a.upper(), next(ips)) for a in (known, unknown)}
    assert _sent(client) == before
    assert {a.status for a in refused.values()} == {429}
    assert refused[known].body == refused[unknown].body
    assert refused[known].headers["retry-after"] == refused[unknown].headers["retry-after"]
    assert refused[known].body["error"] == "rate_limited"
    assert "address" in refused[known].body["message"]
    assert 1 <= int(refused[known].headers["retry-after"]) <= 3600
    assert _ask(client, route, "someone.else@example.com", next(ips)).status == 202
    # The counters hold neither the address nor its bare key.
    counted = repr(client.adapters.memory.hits)
    for address in (known, unknown):
        assert address not in counted and person_key(address) not in counted
    clock.advance(seconds=3600)
    assert _ask(client, route, known, next(ips)).status == 202


def test_each_route_counts_an_address_apart(client, clock, anna):
    for route in ROUTES:
        client.limits[f"{route}@address"] = Limit(1, 3600)
    assert _ask(client, "me", ADMIN).status == 202
    assert _ask(client, "me", ADMIN).status == 429
    sent = len(client.outbox())
    assert _ask(client, "sign-in", ADMIN).status == 202
    client.run_links()
    assert [m.to for m in client.outbox()[sent:]] == [ADMIN]
