"""The shop platforms' webhooks, as a local test shop sends them, and Stripe's API as far as
passaparola uses it.

`./passaparola store stripe|shopify|woocommerce EVENT` sends one of these to the running local
stack. Each body has the shape of the platform's documented example (the fixtures in
tests/fixtures/shops, each with its source named), cut down to what a test shop needs, and is
signed the platform's way with the local stack's dev secret. A friend's coupon goes where the
platform puts the codes typed at checkout: for Stripe, a promotion code, whose text the stand-in
of Stripe's API below gives back, as Stripe would to the function.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from passaparola.domain.platforms import shopify, stripe, woocommerce

EVENTS: dict[str, tuple[str, ...]] = {
    "stripe": ("checkout-completed", "charge-refunded"),
    "shopify": ("orders-paid", "refunds-create"),
    "woocommerce": ("order-paid", "order-refunded", "ping"),
}
# The local stack's stand-in of Stripe's API answers for promotion codes made here.
_LOCAL_PROMOTION = "promo_local_"
STRIPE_API_KEY = "rk_test_passaparola_local"


@dataclass(frozen=True)
class Order:
    """What the test shop sells: `order_id` as the platform spells it (Stripe: a payment
    intent id; Shopify and WooCommerce: a number)."""

    order_id: str
    email: str
    amount: Decimal
    currency: str
    code: str | None = None  # the referral code, passed through checkout
    coupon: str | None = None  # the friend's coupon, typed at checkout
    locale: str | None = None  # the buyer's (Stripe Checkout's locale, Shopify's customer_locale)


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


def new_order_id(platform: str) -> str:
    return f"pi_local_{uuid.uuid4().hex[:16]}" if platform == "stripe" else str(uuid.uuid4().int % 10**9)


def delivery(platform: str, event: str, order: Order, secret: str, now: int) -> Delivery:
    if event not in EVENTS.get(platform, ()):
        raise ValueError(f"{platform} has no sample event {event!r}; there are {', '.join(EVENTS[platform])}")
    if platform == "stripe":
        return _stripe(event, order, secret, now)
    if platform == "shopify":
        return _shopify(event, order, secret)
    return _woocommerce(event, order, secret)


def promotion_id(coupon: str) -> str:
    return _LOCAL_PROMOTION + coupon.encode().hex()


def promotion_code(promotion: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
    """GET /v1/promotion_codes/{id} of Stripe's API, for the promotion codes made here."""
    if authorization != f"Bearer {STRIPE_API_KEY}":
        return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
    try:
        code = bytes.fromhex(promotion.removeprefix(_LOCAL_PROMOTION)).decode()
    except ValueError:
        code = ""
    if not promotion.startswith(_LOCAL_PROMOTION) or not code:
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"No such promotion code: '{promotion}'"}
        }
    return 200, {"id": promotion, "object": "promotion_code", "active": True, "code": code}


def _stripe(event: str, order: Order, secret: str, now: int) -> Delivery:
    currency = order.currency.lower()
    minor = int(order.amount.scaleb(stripe.minor_digits(order.currency.upper())))
    if event == "checkout-completed":
        kind = "checkout.session.completed"
        found: dict[str, Any] = {
            "id": f"cs_test_{uuid.uuid4().hex}",
            "object": "checkout.session",
            "amount_total": minor,
            "client_reference_id": order.code,
            "currency": currency,
            "customer": None,
            "customer_details": {"email": order.email, "address": None},
            "locale": order.locale,
            "discounts": [{"coupon": None, "promotion_code": promotion_id(order.coupon)}]
            if order.coupon
            else [],
            "metadata": {},
            "mode": "payment",
            "payment_intent": order.order_id,
            "payment_status": "paid",
            "status": "complete",
        }
    else:
        kind = "charge.refunded"
        found = {
            "id": f"ch_{uuid.uuid4().hex[:24]}",
            "object": "charge",
            "amount": minor,
            "amount_captured": minor,
            "amount_refunded": minor,
            "currency": currency,
            "payment_intent": order.order_id,
            "refunded": True,
            "status": "succeeded",
        }
    body = {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": now,
        "data": {"object": found},
        "livemode": False,
        "type": kind,
    }
    raw = json.dumps(body, indent=2).encode()
    headers = {"content-type": "application/json; charset=utf-8"} | stripe.sign(raw, secret, now)
    return Delivery("/integrations/stripe", headers, raw)


def _shopify(event: str, order: Order, secret: str) -> Delivery:
    if not order.order_id.isdigit():
        raise ValueError("a Shopify order id is a number")
    if event == "orders-paid":
        topic = "orders/paid"
        body: dict[str, Any] = {
            "id": int(order.order_id),
            "admin_graphql_api_id": shopify.order_id(order.order_id),
            "email": order.email,
            "currency": order.currency,
            "financial_status": "paid",
            "total_price": str(order.amount),
            "discount_codes": (
                [{"code": order.coupon, "amount": "0.00", "type": "percentage"}] if order.coupon else []
            ),
            "note_attributes": [{"name": "ref", "value": order.code}] if order.code else [],
            "customer": {"id": int(order.order_id) + 1, "email": order.email},
            "customer_locale": order.locale,
            "test": True,
        }
    else:
        topic = "refunds/create"
        body = {
            "id": int(order.order_id) + 2,
            "order_id": int(order.order_id),
            "admin_graphql_api_id": f"gid://shopify/Refund/{int(order.order_id) + 2}",
            "refund_line_items": [],
            "transactions": [
                {
                    "kind": "refund",
                    "status": "success",
                    "amount": str(order.amount),
                    "currency": order.currency,
                }
            ],
        }
    raw = json.dumps(body).encode()
    headers = {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": "passaparola-local.myshopify.com",
        "x-shopify-api-version": "2025-01",
        "x-shopify-webhook-id": str(uuid.uuid4()),
        "x-shopify-event-id": str(uuid.uuid4()),
    } | shopify.sign(raw, secret)
    return Delivery("/integrations/shopify", headers, raw)


def _woocommerce(event: str, order: Order, secret: str) -> Delivery:
    if event == "ping":
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return Delivery("/integrations/woocommerce", headers, b"webhook_id=1")
    if not order.order_id.isdigit():
        raise ValueError("a WooCommerce order id is a number")
    refunded = event == "order-refunded"
    body = {
        "id": int(order.order_id),
        "order_key": f"wc_order_{uuid.uuid4().hex[:13]}",
        "status": "refunded" if refunded else "processing",
        "currency": order.currency,
        "total": str(order.amount),
        "customer_id": 0,
        "billing": {"email": order.email},
        "date_paid": "2026-11-30T12:00:00",
        "meta_data": [{"id": 1, "key": "referral_code", "value": order.code}] if order.code else [],
        "coupon_lines": [{"id": 2, "code": order.coupon.lower(), "discount": "0.00"}] if order.coupon else [],
        "refunds": [{"id": int(order.order_id) + 1, "reason": "", "total": f"-{order.amount}"}]
        if refunded
        else [],
    }
    raw = php_json(body)
    headers = {
        "content-type": "application/json",
        "x-wc-webhook-source": "https://shop.passaparola.localhost/",
        "x-wc-webhook-topic": "order.updated",
        "x-wc-webhook-resource": "order",
        "x-wc-webhook-event": "updated",
        "x-wc-webhook-id": "1",
        "x-wc-webhook-delivery-id": uuid.uuid4().hex,
    } | woocommerce.sign(raw, secret)
    return Delivery("/integrations/woocommerce", headers, raw)


def php_json(value: Any) -> bytes:
    """What WordPress's wp_json_encode writes: compact, "/" escaped, non-ASCII as \\uXXXX."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/").encode()
