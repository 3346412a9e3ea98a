"""The ask after a purchase on the local stack: the order's one write holds it, the release
schedule's sweep sends it on its day, once, in the buyer's language, and the shop's fields that
shape it are checked at the door.

Test campaigns (tests/fixtures/content): none has `starts`, so an order nobody referred is
asked to join the first by slug, `capped` (in English or Polish), 3 days later, the default;
`promoters` asks at once, and only a buyer the shop rates 9 or 10.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import API, Client, Clock, dynamodb_calls, items_under, person_key

pytestmark = pytest.mark.integration

MARCO, OLGA = "marco@example.com", "olga@example.com"
FORM = {"content-type": "application/x-www-form-urlencoded"}
ASKS = ("Share Test Shop with your friends", "Poleć markę Test Shop znajomym")
FIRST = "capped"


def sweep(client: Client) -> list[dict[str, Any]]:
    """The worker, the release schedule and the worker again; the email sent by then."""
    client.run_worker()
    client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})
    client.run_worker()
    return client.outbox()


def asks_to(client: Client, address: str) -> list[dict[str, Any]]:
    return [m for m in client.outbox() if m["to"] == [address] and m["subject"] in ASKS]


def notice(client: Client, campaign: str, address: str) -> dict[str, Any] | None:
    found = items_under(client.stack, f"NOTICE#purchase_ask.{campaign}.{person_key(address)}")
    return found[0] if found else None


def test_an_order_nobody_referred_is_asked_once_on_the_campaigns_day_in_the_buyers_language(
    client: Client, clock: Clock
):
    answer = client.convert("o-1", OLGA, locale="pl-PL", satisfaction=7)
    assert (answer.status, answer.body["status"], answer.body["reason"]) == (202, "rejected", "unattributed")
    written = notice(client, FIRST, OLGA)
    assert written is not None
    assert (written["email"], written["lang"], written["order_id"]) == (OLGA, "pl", "o-1")
    assert "code" not in written and "satisfaction" not in repr(items_under(client.stack, "ORDER#"))
    client.convert("o-9", "bea@example.com", locale="de-DE")  # a language the campaign lacks
    assert notice(client, FIRST, "bea@example.com")["lang"] == "en"  # type: ignore[index]
    clock.advance(days=2, hours=23)
    assert asks_to(client, OLGA) == [] and sweep(client) == []
    clock.advance(hours=1, minutes=5)  # the third day, past the sweep's grace
    sweep(client)
    (asked,) = asks_to(client, OLGA)
    assert asked["subject"] == "Poleć markę Test Shop znajomym"
    assert dict(asked["headers"])["Content-Language"] == "pl"
    assert "/pl/capped/#email=olga%40example.com" in asked["html"]
    assert "To jedyne zaproszenie do akcji „Najwyżej pięciu znajomych”" in asked["text"]
    one_click = dict(asked["headers"])["List-Unsubscribe"].strip().strip("<>")
    assert one_click.startswith(f"{API}/unsubscribe/capped.{person_key(OLGA)}.")
    closed = notice(client, FIRST, OLGA)
    assert closed is not None and closed["outcome"] == "sent" and "email" not in closed
    assert "due_at" not in closed

    assert client.convert("o-2", OLGA, locale="pl").body["status"] == "rejected"  # she orders again
    assert notice(client, FIRST, OLGA) == closed  # the one ask, untouched
    clock.advance(days=3)
    sweep(client)
    assert len(asks_to(client, OLGA)) == 1


def test_asking_costs_an_order_no_extra_call(client: Client):
    with dynamodb_calls() as calls:
        client.convert("o-1", OLGA)
    conversion = [c for c in calls if c not in ("GetItem", "PutItem", "UpdateItem", "DeleteItem")]
    # the idempotency record's own calls aside, as before: one batch read (the order, its
    # markers, and now whether the buyer was asked or enrolled), the buyer's claims (a query),
    # one transaction that writes the order, and now its ask
    assert conversion == ["BatchGetItem", "Query", "TransactWriteItems"], calls
    assert notice(client, FIRST, OLGA) is not None


def test_a_buyer_who_enrolls_before_the_day_or_whose_order_is_refunded_is_not_asked(
    client: Client, clock: Clock
):
    client.convert("o-1", OLGA)
    client.convert("o-2", MARCO)
    assert client.enrol(OLGA, campaign=FIRST).status == 201
    assert client.signed("/refunds", {"order_id": "o-2"}).status == 202
    clock.advance(days=3, minutes=5)
    sweep(client)
    assert asks_to(client, OLGA) == asks_to(client, MARCO) == []
    assert notice(client, FIRST, OLGA)["outcome"] == "not_needed"  # type: ignore[index]
    assert notice(client, FIRST, MARCO)["outcome"] == "not_needed"  # type: ignore[index]
    client.convert("o-3", OLGA)  # enrolled now: her next order writes no ask at all
    assert notice(client, FIRST, OLGA)["order_id"] == "o-1"  # type: ignore[index]


def test_a_buyer_who_unsubscribed_from_the_campaign_is_not_asked(client: Client, clock: Clock):
    from passaparola import wiring

    unsubscribe = wiring.mail().unsubscribe(person_key(OLGA), FIRST, "en")
    answer = client.call(
        "POST", unsubscribe.one_click_url.removeprefix(API), raw=b"List-Unsubscribe=One-Click", headers=FORM
    )
    assert answer.status == 200
    client.convert("o-1", OLGA)
    clock.advance(days=3, minutes=5)
    sweep(client)
    assert asks_to(client, OLGA) == []
    assert notice(client, FIRST, OLGA)["outcome"] == "unsubscribed"  # type: ignore[index]


def test_a_campaign_for_promoters_asks_a_friend_who_rated_the_shop_ten_at_once(client: Client):
    code = client.enrol("anna@example.com", campaign="promoters").body["code"]
    for friend in (MARCO, OLGA, "bea@example.com"):
        assert client.claim(code, friend).status == 201
    assert client.convert("p-1", MARCO, code=code, satisfaction=10).body["status"] == "queued"
    assert client.convert("p-2", OLGA, code=code, satisfaction=8).body["status"] == "queued"
    assert client.convert("p-3", "bea@example.com", code=code).body["status"] == "queued"
    client.run_worker()
    (asked,) = asks_to(client, MARCO)
    assert asked["subject"] == "Share Test Shop with your friends"
    assert "“Only the happiest buyers”" in asked["text"]
    assert asks_to(client, OLGA) == asks_to(client, "bea@example.com") == []
    assert (
        notice(client, "promoters", OLGA) is None and notice(client, "promoters", "bea@example.com") is None
    )


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("satisfaction", 11, "satisfaction: Input should be less than or equal to 10"),
        ("satisfaction", -1, "satisfaction: Input should be greater than or equal to 0"),
        ("satisfaction", 9.5, "satisfaction: Input should be a valid integer"),
        ("satisfaction", "9", "satisfaction: Input should be a valid integer"),
        ("satisfaction", True, "satisfaction: Input should be a valid integer"),
        ("locale", "polish please", "locale: String should match pattern"),
        ("locale", "x" * 36, "locale: String should have at most 35 characters"),
    ],
)
def test_a_satisfaction_outside_0_to_10_or_a_locale_that_is_none_is_refused_and_nothing_written(
    client: Client, field: str, value: Any, said: str
):
    answer = client.convert("bad-1", OLGA, **{field: value})
    assert answer.status == 422, answer.body
    assert answer.body["error"] == "invalid_request"
    assert answer.body["message"].startswith(said), answer.body["message"]
    assert items_under(client.stack, "ORDER#") == items_under(client.stack, "NOTICE#") == []


def test_a_shopify_order_asks_in_the_language_of_its_customer_locale(client: Client):
    from passaparola_localstack.provision import PLATFORM_SECRETS
    from tests import shops

    secret = client.stack.secret_values[PLATFORM_SECRETS["shopify"]]
    paid = shops.shopify_paid(
        secret, id=6001, email=OLGA, currency="EUR", customer=None, customer_locale="pl-PL"
    )
    answer = client.call("POST", paid.path, raw=paid.body, headers=paid.headers)
    assert (answer.status, answer.body["reason"]) == (202, "unattributed")
    written = notice(client, FIRST, OLGA)
    assert written is not None and (written["lang"], written["order_id"]) == (
        "pl",
        "gid://shopify/Order/6001",
    )
