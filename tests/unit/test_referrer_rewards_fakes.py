"""The local stand-ins of the platforms that issue referrers' rewards, held to what the
platforms document: Tremendous's orders (their answers read by its official client's own
models), Stripe's customer balance and subscription discounts, Shopify's store credit."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from passaparola.domain.platforms import shopify, stripe
from passaparola_localstack import shop_samples, shopify_fake, tremendous_fake
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.tremendous_fake import TremendousFake

pytestmark = pytest.mark.unit

BEARER = {"Authorization": f"Bearer {tremendous_fake.KEY}"}


def order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": "passaparola-referrer-SPRING-BCDF-order-1",
        "payment": {"funding_source_id": "BALANCE"},
        "reward": {
            "value": {"denomination": 5.0, "currency_code": "EUR"},
            "recipient": {"name": "Anna", "email": "anna@example.com"},
            "campaign_id": "ABCD1234EFGH",
            "delivery": {"method": "EMAIL"},
        },
    }
    return body | changes


def place(fake: TremendousFake, body: Any, headers: dict[str, str] = BEARER) -> tuple[int, Any]:
    return fake.handle("POST", "/api/v2/orders", "", headers, json.dumps(body).encode())


def test_tremendous_makes_one_order_per_external_id_and_answers_a_repeat_with_it():
    from tremendous.models.create_order200_response import CreateOrder200Response
    from tremendous.models.list_orders200_response import ListOrders200Response

    fake = TremendousFake()
    status, made = place(fake, order())
    assert status == 200 and CreateOrder200Response.from_dict(made) is not None
    assert place(fake, order()) == (201, made)  # the same body: the first order, none made
    renamed = order()
    renamed["reward"] = renamed["reward"] | {"recipient": {"name": "Anna B", "email": "anna@example.com"}}
    status, refused = place(fake, renamed)
    assert status == 409 and "external_id" in refused["errors"]["message"]
    status, listed = fake.handle(
        "GET", "/api/v2/orders", f"external_id={order()['external_id']}", BEARER, b""
    )
    assert status == 200 and ListOrders200Response.from_dict(listed) is not None
    assert [o["id"] for o in listed["orders"]] == [made["order"]["id"]]
    (payout,) = fake.objects()
    assert {k: payout[k] for k in ("kind", "email", "amount", "currency")} == {
        "kind": "payout",
        "email": "anna@example.com",
        "amount": "5.00",
        "currency": "EUR",
    }


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (order(payment={}), "payment.funding_source_id is required"),
        (
            order(reward={"value": {"denomination": 5}, "recipient": {"name": "A"}}),
            "Either products or campaign_id",
        ),
        (
            order(reward={"products": ["X"], "value": {"denomination": 5}, "recipient": {"name": "A"}}),
            "At least one valid product",
        ),
        (
            order(
                reward={"campaign_id": "ABCD1234", "value": {"denomination": -1}, "recipient": {"name": "A"}}
            ),
            "value.denomination must be a positive number",
        ),
        (
            order(
                reward={"campaign_id": "ABCD1234", "value": {"denomination": 5}, "recipient": {"name": "A"}}
            ),
            "recipient.email is required for EMAIL delivery",
        ),
    ],
)
def test_tremendous_refuses_an_order_missing_what_it_requires(body, said):
    fake = TremendousFake()
    status, refused = place(fake, body)
    assert status == 400 and refused["errors"]["message"].startswith(said)
    assert fake.orders == {}


def test_tremendous_refuses_a_wrong_key_and_fails_on_demand_before_it_makes_anything():
    fake = TremendousFake()
    assert place(fake, order(), {"Authorization": "Bearer PROD_x"})[0] == 401
    fake.fail(1)
    assert place(fake, order())[0] == 500
    assert fake.orders == {}
    assert place(fake, order())[0] == 200


STRIPE = {"Authorization": f"Bearer {shop_samples.STRIPE_API_KEY}", "Stripe-Version": stripe.API_VERSION}


def post(fake: StripeFake, path: str, form: dict[str, str], key: str | None = None) -> tuple[int, Any]:
    headers = STRIPE | ({"Idempotency-Key": key} if key else {})
    return fake.handle("POST", path, "", headers, urlencode(form).encode())


def test_stripe_credits_a_customers_balance_once_per_key_in_the_customers_currency():
    fake = StripeFake()
    customer = fake.add_customer("anna@example.com")
    path = f"/v1/customers/{customer}/balance_transactions"
    credit = {"amount": "-500", "currency": "eur", "metadata[reward_key]": "k1"}
    status, made = post(fake, path, credit, "k1")
    assert status == 200 and (made["amount"], made["ending_balance"]) == (-500, -500)
    assert post(fake, path, credit, "k1") == (200, made)  # the same key: the first answer
    assert post(fake, path, credit | {"currency": "usd"}, "k2")[0] == 400  # the balance is in EUR
    assert post(fake, path, {"currency": "eur"})[0] == 400  # no amount
    (listed,) = fake.objects()
    assert (listed["kind"], listed["amount"], listed["email"]) == (
        "customer_balance",
        "5.00",
        "anna@example.com",
    )


def test_stripe_applies_a_coupon_to_a_subscription_no_more_often_than_it_may_be_redeemed():
    fake = StripeFake()
    subscription = fake.add_subscription(fake.add_customer("anna@example.com"))
    coupon = {"id": "free-1", "percent_off": "100", "duration": "once", "max_redemptions": "1"}
    assert post(fake, "/v1/coupons", coupon)[0] == 200
    assert post(fake, "/v1/coupons", coupon | {"id": "x", "duration": "repeating"})[0] == 400  # no months
    path = f"/v1/subscriptions/{subscription}"
    status, updated = post(fake, path, {"discounts[0][coupon]": "free-1"})
    assert status == 200 and len(updated["discounts"]) == 1
    kept = {"discounts[0][discount]": updated["discounts"][0], "discounts[1][coupon]": "free-1"}
    assert post(fake, path, kept)[1]["error"]["code"] == "coupon_expired"
    assert fake.coupons["free-1"]["times_redeemed"] == 1


def graphql(fake: ShopifyFake, query: str, variables: dict[str, Any]) -> Any:
    path = f"/admin/api/{shopify.API_VERSION}/graphql.json"
    headers = {"X-Shopify-Access-Token": shopify_fake.KEY}
    status, found = fake.handle(
        "POST", path, "", headers, json.dumps({"query": query, "variables": variables}).encode()
    )
    assert status == 200
    return found


def test_shopify_credits_only_a_customer_it_knows_by_a_positive_amount():
    fake = ShopifyFake()
    assert (
        shopify.customer_found(
            graphql(fake, shopify.CUSTOMER, shopify.customer_variables("anna@example.com"))
        )
        is None
    )
    customer = fake.add_customer("anna@example.com")
    found = graphql(fake, shopify.CUSTOMER, shopify.customer_variables("Anna@Example.com"))
    assert shopify.customer_found(found) == customer
    money = {"creditAmount": {"amount": "5.00", "currencyCode": "EUR"}}
    made = graphql(fake, shopify.CREDIT, {"id": customer, "creditInput": money})
    assert shopify.credited(made) is not None
    refused = graphql(
        fake,
        shopify.CREDIT,
        {"id": customer, "creditInput": {"creditAmount": {"amount": "0", "currencyCode": "EUR"}}},
    )
    assert refused["data"]["storeCreditAccountCredit"]["userErrors"][0]["code"] == "NEGATIVE_OR_ZERO_AMOUNT"
    stranger = graphql(fake, shopify.CREDIT, {"id": "gid://shopify/Customer/1", "creditInput": money})
    assert stranger["data"]["storeCreditAccountCredit"]["userErrors"][0]["code"] == "ACCOUNT_NOT_FOUND"
    accounts = graphql(fake, shopify.CREDITS, {"id": customer})["data"]["customer"]["storeCreditAccounts"][
        "nodes"
    ]
    assert [t["id"] for a in accounts for t in a["transactions"]["nodes"]] == [shopify.credited(made)]
    (listed,) = [o for o in fake.objects() if o["kind"] == "store_credit"]
    assert (listed["amount"], listed["currency"], listed["email"]) == ("5.00", "EUR", "anna@example.com")
