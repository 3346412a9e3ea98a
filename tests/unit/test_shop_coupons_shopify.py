"""The friend's coupon as Shopify's Admin GraphQL API is asked for it (`discountCodeBasicCreate`),
and the local stand-in holding it to Shopify's documented input and its query cost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import pytest

from passaparola.domain.platforms import shopify
from passaparola_localstack import shopify_fake
from passaparola_localstack.shopify_fake import KEY, ShopifyFake
from tests import shops

pytestmark = pytest.mark.unit

LATER = datetime(2031, 4, 30, 9, 15, tzinfo=UTC)
PATH = f"/admin/api/{shopify.API_VERSION}/graphql.json"
AUTH = {"X-Shopify-Access-Token": KEY, "Content-Type": "application/json"}


terms = partial(shops.coupon_terms, LATER)


def test_the_friends_discount_is_the_whole_order_once_and_once_per_customer_over_the_minimum():
    assert shopify.discount_variables(terms()) == {
        "basicCodeDiscount": {
            "title": "Referral friend-spring for claim cl_claim",
            "code": "SPRING-5HK9-NP86-RZ9",
            "startsAt": "2031-03-31T09:15:00+00:00",
            "endsAt": "2031-04-30T09:15:00+00:00",
            "context": {"all": "ALL"},
            "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}},
            "usageLimit": 1,
            "appliesOncePerCustomer": True,
            "minimumRequirement": {"subtotal": {"greaterThanOrEqualToSubtotal": "20.00"}},
        }
    }
    fixed = shopify.discount_variables(terms(percent=None, amount=Decimal("12.50"), currency="EUR"))
    assert fixed["basicCodeDiscount"]["customerGets"]["value"] == {
        "discountAmount": {"amount": "12.50", "appliesOnEachItem": False}
    }


def call(fake: ShopifyFake, query: str, variables: object, path: str = PATH, **headers: str):
    body = json.dumps({"query": query, "variables": variables}).encode()
    return fake.handle("POST", path, "", AUTH | headers, body)


def test_the_local_shopify_holds_the_code_once_reads_it_back_and_charges_its_cost():
    fake = ShopifyFake()
    status, found = call(fake, shopify.CREATE, shopify.discount_variables(terms()))
    assert (status, shopify.created(found)) == (200, "created")
    assert found["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 100
    status, again = call(fake, shopify.CREATE, shopify.discount_variables(terms()))
    assert shopify.created(again) == "taken"
    status, back = call(fake, shopify.FIND, {"code": "spring-5hk9-np86-rz9"})
    assert shopify.ours(back, terms()) and not shopify.ours(back, terms(key="cl_another_friends"))
    assert fake.objects() == [
        {
            "platform": "shopify", "kind": "discount_code", "code": "SPRING-5HK9-NP86-RZ9", "percent": "10",
            "usage_limit": 1, "expires_at": "2031-04-30T09:15:00+00:00", "active": True, "used": False,
            "reward_id": "friend-spring", "min_subtotal": "20.00",
        }
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"title": None}, "title"),
        ({"startsAt": "tomorrow"}, "startsAt"),
        ({"customerGets": {"value": {"percentage": 10}, "items": {"all": True}}}, "percentage"),
        ({"usageLimit": "1"}, "usageLimit"),
        ({"minimumRequirement": {"subtotal": {"greaterThanOrEqualToSubtotal": 20}}}, "minimumRequirement"),
        ({"context": {"everyone": True}}, "context"),
    ],
)
def test_the_local_shopify_refuses_an_input_shopify_refuses(change, says):
    variables = shopify.discount_variables(terms())
    variables["basicCodeDiscount"] |= change
    status, found = call(ShopifyFake(), shopify.CREATE, variables)
    assert status == 200 and found["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert says in found["errors"][0]["message"]


def test_the_local_shopify_checks_the_token_and_version_throttles_and_fails_on_demand(monkeypatch):
    fake = ShopifyFake()
    variables = shopify.discount_variables(terms())
    assert call(fake, shopify.CREATE, variables, **{"X-Shopify-Access-Token": "shpat_wrong"})[0] == 401
    assert call(fake, shopify.CREATE, variables, path="/admin/api/2019-04/graphql.json")[0] == 404
    fake.fail(1)
    assert call(fake, shopify.CREATE, variables)[0] == 503
    monkeypatch.setattr(fake, "_available", 5.0)
    monkeypatch.setattr(shopify_fake.time, "monotonic", lambda: fake._checked)  # no time passes
    _, throttled = call(fake, shopify.CREATE, variables)
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED" and shopify.created(throttled) is None
    assert fake.objects() == []
