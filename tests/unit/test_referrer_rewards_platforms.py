"""The referrer's reward as each platform is asked for it: the pure mappings of
domain/platforms and domain/shop, each held to the platform's documented shape (Tremendous's
to the models of its official client, tremendous-python)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from passaparola.domain.campaign import CampaignRules, Payouts, RewardSpec, Shop
from passaparola.domain.platforms import shopify, stripe, tremendous, woocommerce
from passaparola.domain.records import Owner, Referrer, Reward
from passaparola.domain.shop import Grant, issuer_of, referrer_grant, reward_key

pytestmark = pytest.mark.unit

SPECS: TypeAdapter[RewardSpec] = TypeAdapter(RewardSpec)
NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
RULES = CampaignRules.model_validate(
    {
        "slug": "spring",
        "brand": "acme",
        "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"},
    }
)
ANNA = Referrer(
    code="SPRING-BCDF-GHJK",
    campaign="spring",
    email="anna@example.com",
    email_key="k",
    lang="it",
    created_at=NOW,
    display_name="Anna",
)


def reward(spec: dict[str, Any], value: str | None = None, currency: str | None = None) -> Reward:
    return Reward(
        owner=Owner.referrer(ANNA.code),
        reward_id="order-1001",
        role="referrer",
        spec=SPECS.validate_python(spec),
        value=Decimal(value) if value else None,
        currency=currency,
        hold_days=14,
        campaign="spring",
        code=ANNA.code,
        status="held",
        created_at=NOW - timedelta(days=14),
    )


CREDIT = reward({"type": "credit", "amount": 10, "currency": "EUR"}, "10", "EUR")


def grant(of: Reward = CREDIT, platform: str = "stripe", code: str | None = None) -> Grant:
    return referrer_grant(of, ANNA, RULES, platform, code, NOW)


@pytest.mark.parametrize(
    ("kind", "shop", "payouts", "issuer"),
    [
        ("credit", "stripe", "manual", "stripe"),
        ("free_period", "stripe", "manual", "stripe"),
        ("free_period", "shopify", "manual", None),
        ("credit", "woocommerce", "manual", "woocommerce"),
        ("coupon_percent", "shopify", "manual", "shopify"),
        ("cash", "stripe", "tremendous", "tremendous"),
        ("donation", None, "tremendous", "tremendous"),
        ("cash", "stripe", "manual", None),
        ("gift", "stripe", "tremendous", None),  # a tangible gift: the business ships it
        ("credit", None, "tremendous", None),
    ],
)
def test_each_kind_is_issued_by_the_platform_that_can_and_the_rest_by_the_business(
    kind, shop, payouts, issuer
):
    named = Shop(platform=shop, url="https://acme.example") if shop else None
    provider = Payouts(provider=payouts, campaign="ABCD1234EFGH") if payouts == "tremendous" else Payouts()
    assert issuer_of(kind, named, provider) == issuer


def test_tremendous_issues_only_the_kinds_it_has_products_for():
    payouts = Payouts(provider="tremendous", products={"donation": ("CHARITY12345",)})
    assert (issuer_of("donation", None, payouts), issuer_of("cash", None, payouts)) == ("tremendous", None)


def test_the_key_is_unique_across_owners_whose_reward_ids_repeat():
    other = Reward(**{**CREDIT.__dict__, "owner": Owner.referrer("SPRING-CDFG-HJKM")})
    assert reward_key(CREDIT) != reward_key(other)
    assert grant().key == reward_key(CREDIT)


def test_stripe_credits_the_customer_balance_with_a_negative_amount_in_minor_units():
    assert stripe.balance_form(grant()) == {
        "amount": "-1000",
        "currency": "eur",
        "description": "Referral reward: spring",
        "metadata[reward_key]": reward_key(CREDIT),
        "metadata[reward_id]": "order-1001",
    }
    found = {
        "data": [
            {"id": "cbtxn_1", "metadata": {}},
            {"id": "cbtxn_2", "metadata": {"reward_key": grant().key}},
        ]
    }
    assert stripe.balance_found(found, grant()) == "cbtxn_2"
    assert stripe.customer_id({"data": []}) is None


@pytest.mark.parametrize(
    ("months", "duration"),
    [(1, {"duration": "once"}), (3, {"duration": "repeating", "duration_in_months": "3"})],
)
def test_a_free_month_is_a_coupon_of_its_own_all_off_redeemable_once(months, duration):
    free_reward = reward({"type": "free_period", "months": months})
    free = grant(free_reward)
    form = stripe.free_coupon_form(free)
    assert {k: form[k] for k in form if k.startswith("duration")} == duration
    assert (form["percent_off"], form["max_redemptions"], form["id"]) == (
        "100",
        "1",
        stripe.free_coupon_id(free),
    )
    tier = Reward(**{**free_reward.__dict__, "reward_id": "tier-5"})
    assert stripe.free_coupon_id(free) != stripe.free_coupon_id(grant(tier))  # one coupon per reward


def test_a_free_month_goes_on_a_monthly_subscription_only_keeping_its_discounts():
    def listed(interval: str) -> dict[str, Any]:
        price = {"recurring": {"interval": interval, "interval_count": 1}}
        return {"data": [{"id": "sub_1", "discounts": ["di_old"], "items": {"data": [{"price": price}]}}]}

    assert stripe.monthly_subscription(listed("month")) == ("sub_1", ["di_old"])
    assert stripe.monthly_subscription(listed("year")) is None  # a free month would be a free year
    assert stripe.monthly_subscription({"data": []}) is None
    assert stripe.discounts_form(["di_old"], "cpn") == {
        "discounts[0][discount]": "di_old",
        "discounts[1][coupon]": "cpn",
    }


def test_a_referrers_stripe_code_is_for_any_order_and_names_its_reward():
    terms = grant(reward({"type": "coupon_percent", "percent": 15}), code="SPRING-ABCD").coupon
    assert terms is not None
    form = stripe.promotion_code_form(terms)
    assert form["restrictions[first_time_transaction]"] == "false"
    assert "expires_at" not in form
    assert form["metadata[reward_key]"] == reward_key(CREDIT)


def test_shopify_credits_the_customers_store_credit_in_the_campaigns_currency():
    assert shopify.credit_variables("gid://shopify/Customer/1", grant()) == {
        "id": "gid://shopify/Customer/1",
        "creditInput": {"creditAmount": {"amount": "10", "currencyCode": "EUR"}},
    }
    made = {
        "data": {
            "storeCreditAccountCredit": {
                "storeCreditAccountTransaction": {"id": "gid://t/1"},
                "userErrors": [],
            }
        }
    }
    refused = {
        "data": {
            "storeCreditAccountCredit": {"storeCreditAccountTransaction": None, "userErrors": [{"code": "X"}]}
        }
    }
    assert (shopify.credited(made), shopify.credited(refused), shopify.credited({"errors": []})) == (
        "gid://t/1",
        None,
        None,
    )
    assert shopify.customer_variables("anna@example.com") == {"query": 'email:"anna@example.com"'}


def test_a_lost_shopify_credit_is_found_by_its_amount_and_time_oldest_first():
    def credit(n: int, amount: str, at: datetime, currency: str = "EUR") -> dict[str, Any]:
        return {
            "id": f"t{n}",
            "amount": {"amount": amount, "currencyCode": currency},
            "createdAt": at.isoformat(),
        }

    nodes = [
        credit(4, "10.0", NOW + timedelta(seconds=9)),
        credit(3, "10.00", NOW + timedelta(seconds=2)),
        credit(2, "5.00", NOW + timedelta(seconds=1)),  # another amount
        credit(5, "10.00", NOW, "USD"),  # another currency
        credit(1, "10.00", NOW - timedelta(hours=1)),  # before the first call
    ]
    found = {"data": {"customer": {"storeCreditAccounts": {"nodes": [{"transactions": {"nodes": nodes}}]}}}}
    assert shopify.credits_since(found, grant()) == ["t3", "t4"]


def test_a_referrers_shopify_discount_has_no_end_and_names_its_reward():
    terms = grant(
        reward({"type": "coupon_fixed", "amount": 5, "currency": "EUR"}), "shopify", "SPRING-ABCD"
    ).coupon
    assert terms is not None
    discount = shopify.discount_variables(terms)["basicCodeDiscount"]
    assert "endsAt" not in discount
    assert discount["title"] == f"Referral order-1001 for reward {reward_key(CREDIT)}"


def test_woocommerce_credit_is_a_fixed_cart_coupon_for_the_referrers_email_alone():
    terms = grant(platform="woocommerce", code="SPRING-ABCD").coupon
    assert terms is not None
    body = woocommerce.coupon_body(terms)
    assert {k: body[k] for k in ("discount_type", "amount", "email_restrictions", "usage_limit")} == {
        "discount_type": "fixed_cart",
        "amount": "10",
        "email_restrictions": ["anna@example.com"],
        "usage_limit": 1,
    }
    assert "date_expires_gmt" not in body
    assert woocommerce.ours([{"meta_data": body["meta_data"]}], terms)
    assert not woocommerce.ours([{"meta_data": [{"key": woocommerce.CLAIM_META, "value": terms.key}]}], terms)


def test_the_tremendous_order_is_what_its_official_client_takes():
    from tremendous.models.single_reward_order import SingleRewardOrder

    payouts = Payouts(provider="tremendous", campaign="ABCD1234EFGH", products={"cash": ("PAYPAL123456",)})
    cash = grant(reward({"type": "cash", "amount": 5, "currency": "EUR"}, "5", "EUR"), "tremendous")
    body = tremendous.order_body(cash, payouts)
    order = SingleRewardOrder.from_dict(body)  # strict: a wrong type or name fails here
    assert order is not None and order.to_dict() == body | {"reward": body["reward"]}
    assert body["external_id"] == reward_key(CREDIT)
    assert body["reward"]["products"] == ["PAYPAL123456"]
    assert body["reward"]["delivery"] == {"method": "EMAIL"}
    assert body["reward"]["recipient"] == {"name": "Anna", "email": "anna@example.com"}
    assert body["reward"]["language"] == "it"
    assert body["payment"] == {"funding_source_id": "BALANCE"}
    listed = {"orders": [{"id": "X", "external_id": "other"}, {"id": "Y", "external_id": cash.key}]}
    assert tremendous.order_found(listed, cash) == "Y"
    assert tremendous.order_id({"order": {"id": "Z"}}) == "Z"
