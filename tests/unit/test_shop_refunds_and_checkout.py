"""After a refund, an unused code deactivated as each platform documents it (Stripe's
`active=false`, WooCommerce's expiry now, Shopify's `discountCodeDeactivate`); and each local
platform's checkout refusing a code as that platform would, with its own reason."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from passaparola.domain.platforms import shopify, stripe, woocommerce
from passaparola.domain.shop import CouponTerms
from passaparola_localstack import shop_samples, shopify_fake, woocommerce_fake
from passaparola_localstack.serve import ShopFake
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.woocommerce_fake import WooCommerceFake

pytestmark = pytest.mark.unit

NOW = datetime.now(UTC).replace(microsecond=0)
STRIPE = {"Authorization": f"Bearer {shop_samples.STRIPE_API_KEY}", "Stripe-Version": stripe.API_VERSION}
WOOCOMMERCE = {
    "Authorization": "Basic " + base64.b64encode(woocommerce_fake.KEY.encode()).decode(),
    "Content-Type": "application/json",
}
SHOPIFY = {"X-Shopify-Access-Token": shopify_fake.KEY}
SHOPIFY_PATH = f"/admin/api/{shopify.API_VERSION}/graphql.json"
PLATFORMS = ("stripe", "woocommerce", "shopify")
# Each platform's reason for: unknown, deactivated, used, expired, under the minimum.
REASONS = {
    "stripe": (
        "resource_missing", "promotion_code_inactive", "promotion_code_fully_redeemed", "coupon_expired",
        "promotion_code_minimum_amount_not_met",
    ),
    "woocommerce": (
        "E_WC_COUPON_NOT_EXIST", "E_WC_COUPON_EXPIRED", "E_WC_COUPON_USAGE_LIMIT_REACHED",
        "E_WC_COUPON_EXPIRED", "E_WC_COUPON_MIN_SPEND_LIMIT_NOT_MET",
    ),
    "shopify": (
        "DISCOUNT_NOT_FOUND", "DISCOUNT_DISABLED", "DISCOUNT_LIMIT_REACHED", "DISCOUNT_EXPIRED",
        "CART_DOES_NOT_MEET_DISCOUNT_REQUIREMENTS_NOTICE",
    ),
}  # fmt: skip


def terms(code: str) -> CouponTerms:
    return CouponTerms(
        code=code, key=f"cl_{code}", campaign="spring", reward_id=f"friend-{code}", percent=Decimal(10),
        amount=None, currency=None, min_subtotal=Decimal("20.00"), min_currency="EUR",
        starts_at=NOW - timedelta(days=1), expires_at=NOW + timedelta(days=30), email="marco@example.org",
    )  # fmt: skip


def graphql(fake: ShopFake, query: str, variables: dict[str, Any]) -> Any:
    body = json.dumps({"query": query, "variables": variables}).encode()
    return fake.handle("POST", SHOPIFY_PATH, "", SHOPIFY, body)[1]


def create(fake: ShopFake, code: str) -> None:
    """The friend's coupon, created through the platform's API as the adapters ask for it."""
    if isinstance(fake, StripeFake):
        fake.handle("POST", "/v1/coupons", "", STRIPE, urlencode(stripe.coupon_form(terms(code))).encode())
        form = urlencode(stripe.promotion_code_form(terms(code))).encode()
        assert fake.handle("POST", "/v1/promotion_codes", "", STRIPE, form)[0] == 200
    elif isinstance(fake, WooCommerceFake):
        body = json.dumps(woocommerce.coupon_body(terms(code))).encode()
        assert fake.handle("POST", woocommerce.COUPONS_PATH, "", WOOCOMMERCE, body)[0] == 201
    else:
        assert shopify.created(graphql(fake, shopify.CREATE, shopify.discount_variables(terms(code))))


def deactivate(fake: ShopFake, code: str) -> str:
    """The code deactivated the way the adapter does it: found by its text, then changed."""
    if isinstance(fake, StripeFake):
        found = fake.handle("GET", "/v1/promotion_codes", f"code={code}", STRIPE, b"")[1]
        promotion, outcome = stripe.to_deactivate(found, code)
        if promotion:
            form = urlencode(stripe.DEACTIVATE).encode()
            assert fake.handle("POST", f"/v1/promotion_codes/{promotion}", "", STRIPE, form)[0] == 200
        return outcome
    if isinstance(fake, WooCommerceFake):
        found = fake.handle("GET", woocommerce.COUPONS_PATH, f"code={code}", WOOCOMMERCE, b"")[1]
        coupon, outcome = woocommerce.to_deactivate(found, code, datetime.now(UTC))
        if coupon:
            body = json.dumps(woocommerce.deactivation_body(datetime.now(UTC))).encode()
            assert fake.handle("PUT", woocommerce.coupon_path(coupon), "", WOOCOMMERCE, body)[0] == 200
        return outcome
    discount, outcome = shopify.to_deactivate(graphql(fake, shopify.FIND, {"code": code}))
    if discount:
        assert shopify.deactivated(graphql(fake, shopify.DEACTIVATE, {"id": discount}))
    return outcome


def expire(fake: ShopFake, code: str) -> None:
    """The coupon's last day passed (a moment the fakes are not made to wait for)."""
    past = NOW - timedelta(minutes=1)
    if isinstance(fake, StripeFake):
        fake.promotion_codes[shop_samples.promotion_id(code)]["expires_at"] = int(past.timestamp())
    elif isinstance(fake, WooCommerceFake):
        (coupon,) = [c for c in fake.coupons.values() if c["code"] == code.lower()]
        coupon["date_expires_gmt"] = past.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        fake.discounts[code]["endsAt"] = past.isoformat()


def fake_of(platform: str) -> ShopFake:
    return {"stripe": StripeFake, "woocommerce": WooCommerceFake, "shopify": ShopifyFake}[platform]()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_local_checkout_refuses_a_code_as_the_platform_would_and_takes_a_good_one_once(platform):
    fake = fake_of(platform)
    unknown, deactivated, used, expired, minimum = REASONS[platform]
    for code in ("GOOD-1", "OFF-2", "LATE-3"):
        create(fake, code)

    def pay(code: str, amount: str = "25.00", email: str = "marco@example.org") -> tuple[bool, str | None]:
        sale = fake.checkout(email, Decimal(amount), "EUR", code, "ANNA-7K")
        return sale.order is not None, sale.reason

    assert pay("NOPE-0") == (False, unknown)
    assert pay("good-1", amount="19.99") == (False, minimum)
    assert pay("good-1") == (True, None)  # codes are typed in any case
    assert pay("GOOD-1", email="another@example.org") == (False, used)
    assert deactivate(fake, "OFF-2") == "deactivated"
    assert pay("OFF-2") == (False, deactivated)
    expire(fake, "LATE-3")
    assert pay("LATE-3") == (False, expired)
    assert pay(None) == (True, None)  # no code at all: paid in full
    listed = fake.objects()
    orders = [o for o in listed if o["kind"] == "order"]
    assert [(o["code"], o["amount"], o["active"]) for o in orders] == [
        (orders[0]["code"], "25.00", True), (None, "25.00", True),
    ]  # fmt: skip
    assert orders[0]["code"].upper() == "GOOD-1"
    codes = {o["code"].upper(): (o["active"], o["used"]) for o in listed if o.get("reward_id")}
    assert (codes["GOOD-1"], codes["OFF-2"]) == ((True, True), (False, False))
    # The order's refund, once: what the refund webhook is then sent for.
    assert fake.till.refund(orders[0]["order_id"]) is not None
    assert fake.till.refund(orders[0]["order_id"]) is None
    assert [o["active"] for o in fake.objects() if o["kind"] == "order"] == [False, True]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_unused_code_is_deactivated_once_a_used_one_left_and_an_unknown_one_said(platform):
    fake = fake_of(platform)
    create(fake, "UNUSED-1")
    create(fake, "USED-2")
    assert fake.checkout("marco@example.org", Decimal(30), "EUR", "USED-2", None).order is not None
    assert deactivate(fake, "UNUSED-1") == "deactivated"
    assert deactivate(fake, "UNUSED-1") == "deactivated"  # a retry finds it done, and changes nothing
    assert deactivate(fake, "USED-2") == "used"
    assert deactivate(fake, "NEVER-3") == "absent"
    held = {o["code"].upper(): (o["active"], o["used"]) for o in fake.objects() if o.get("reward_id")}
    assert held == {"UNUSED-1": (False, False), "USED-2": (True, True)}


def test_stripe_deactivates_a_promotion_code_by_active_false_and_takes_nothing_else_on_update():
    fake = StripeFake()
    create(fake, "SPRING-1")
    promotion = shop_samples.promotion_id("SPRING-1")
    status, found = fake.handle("POST", f"/v1/promotion_codes/{promotion}", "", STRIPE, b"max_redemptions=5")
    assert (status, found["error"]["param"]) == (400, "max_redemptions")
    status, found = fake.handle("POST", f"/v1/promotion_codes/{promotion}", "", STRIPE, b"active=no")
    assert (status, found["error"]["param"]) == (400, "active")
    status, found = fake.handle("POST", "/v1/promotion_codes/promo_nope", "", STRIPE, b"active=false")
    assert (status, found["error"]["code"]) == (404, "resource_missing")
    assert fake.promotion_codes[promotion]["active"] is True
    form = urlencode(stripe.DEACTIVATE).encode()
    status, found = fake.handle("POST", f"/v1/promotion_codes/{promotion}", "", STRIPE, form)
    assert (status, found["active"], found["metadata"]["passaparola_deactivated"]) == (
        200, False, "the referral's order was refunded",
    )  # fmt: skip


def test_woocommerce_expires_a_coupon_now_and_says_why_in_its_meta_data():
    fake = WooCommerceFake()
    create(fake, "SPRING-1")
    (coupon_id,) = fake.coupons
    path = woocommerce.coupon_path(coupon_id)
    status, found = fake.handle("PUT", path, "", WOOCOMMERCE, b'{"date_expires_gmt": "tomorrow"}')
    assert (status, found["code"]) == (400, "rest_invalid_param")
    status, found = fake.handle("PUT", woocommerce.coupon_path(9999), "", WOOCOMMERCE, b"{}")
    assert (status, found["code"]) == (404, "woocommerce_rest_shop_coupon_invalid_id")
    when = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert woocommerce.deactivation_body(when)["date_expires_gmt"] == "2031-01-02T03:04:05"
    status, found = fake.handle(
        "PUT", path, "", WOOCOMMERCE, json.dumps(woocommerce.deactivation_body(NOW)).encode()
    )
    assert status == 200
    meta = {m["key"]: m["value"] for m in found["meta_data"]}
    assert meta["passaparola_deactivated"] == "the referral's order was refunded"
    assert meta["passaparola_claim_id"] == "cl_SPRING-1"  # what was there stays


def test_shopify_deactivates_a_discount_by_its_node_id_and_says_when_there_is_none():
    fake = ShopifyFake()
    create(fake, "SPRING-1")
    found = graphql(fake, shopify.DEACTIVATE, {"id": "gid://shopify/DiscountCodeNode/1"})
    assert not shopify.deactivated(found)
    assert found["data"]["discountCodeDeactivate"]["userErrors"][0]["field"] == ["id"]
    assert (
        graphql(fake, shopify.DEACTIVATE, {"id": 7})["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    )
    node = graphql(fake, shopify.FIND, {"code": "SPRING-1"})["data"]["codeDiscountNodeByCode"]
    assert node["codeDiscount"]["status"] == "ACTIVE"
    assert shopify.deactivated(graphql(fake, shopify.DEACTIVATE, {"id": node["id"]}))
    node = graphql(fake, shopify.FIND, {"code": "SPRING-1"})["data"]["codeDiscountNodeByCode"]
    assert (node["codeDiscount"]["status"], node["codeDiscount"]["asyncUsageCount"]) == ("EXPIRED", 0)


def stripe_code(active: bool, redeemed: int) -> dict[str, Any]:
    return {"data": [{"id": "promo_1", "code": "a-1", "active": active, "times_redeemed": redeemed}]}


def woocommerce_coupon(used: int, expires: str | None = None) -> list[dict[str, Any]]:
    return [{"id": 7, "code": "a-1", "usage_count": used, "date_expires_gmt": expires}]


def shopify_node(status: str, used: int) -> dict[str, Any]:
    discount = {"status": status, "asyncUsageCount": used}
    return {"data": {"codeDiscountNodeByCode": {"id": "gid://d/1", "codeDiscount": discount}}}


@pytest.mark.parametrize(
    ("platform", "found", "wanted"),
    [
        ("stripe", {"data": []}, (None, "absent")),
        ("stripe", stripe_code(active=True, redeemed=1), (None, "used")),
        ("stripe", stripe_code(active=False, redeemed=0), (None, "deactivated")),
        ("stripe", stripe_code(active=True, redeemed=0), ("promo_1", "deactivated")),
        ("woocommerce", [], (None, "absent")),
        ("woocommerce", woocommerce_coupon(used=1), (None, "used")),
        ("woocommerce", woocommerce_coupon(used=0, expires="2020-01-01T00:00:00"), (None, "deactivated")),
        ("woocommerce", woocommerce_coupon(used=0, expires="2099-01-01T00:00:00"), (7, "deactivated")),
        ("woocommerce", woocommerce_coupon(used=0), (7, "deactivated")),
        ("shopify", {"data": {"codeDiscountNodeByCode": None}}, (None, "absent")),
        ("shopify", shopify_node("ACTIVE", used=1), (None, "used")),
        ("shopify", shopify_node("EXPIRED", used=0), (None, "deactivated")),
        ("shopify", shopify_node("ACTIVE", used=0), ("gid://d/1", "deactivated")),
    ],
)
def test_what_the_platform_says_of_a_code_decides_whether_it_is_deactivated(platform, found, wanted):
    if platform == "stripe":
        assert stripe.to_deactivate(found, "A-1") == wanted
    elif platform == "woocommerce":
        assert woocommerce.to_deactivate(found, "A-1", NOW) == wanted
    else:
        assert shopify.to_deactivate(found) == wanted
