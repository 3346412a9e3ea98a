"""WooCommerce's webhooks: `X-WC-Webhook-Signature`, and `order.updated` snapshots.

The signature is the base64 HMAC-SHA256 of the body exactly as sent, keyed with the webhook's
secret after WordPress decodes its HTML entities (`wp_specialchars_decode`, so a secret stored
as `a&amp;b` signs with `a&b`); no time is signed. The ping WooCommerce sends when a webhook is
saved (`webhook_id=<n>`, form-encoded, unsigned) must be answered 200 or the webhook is not
saved; it is, and nothing else is done with it.

WooCommerce does not retry, coalesces quick updates, and sends each delivery with the order as
it is at sending time. So every `order.updated` is read as a snapshot: refunded (its status,
or any refund in `refunds`) is a refund, else processing or completed with a payment date is a
paid order, else nothing yet. Its delivery id is a hash of the webhook and the second, the same
for two orders sent in one second, so the idempotency key is the order and what happened to
it: `woocommerce:<id>:paid`, `woocommerce:<id>:refund`. The custom topic
`action.woocommerce_order_refunded` is read as a refund of the order it names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from passaparola.domain.errors import InvalidSignature
from passaparola.domain.orders import Identifiers, PaidOrder
from passaparola.domain.platforms import (
    NO_MATCH,
    REFERRAL_FIELDS,
    Ignored,
    Paid,
    Refunded,
    ShopEvent,
    codes,
    field,
    header,
    listed,
    one_line,
    price,
    text,
    unreadable,
)

PAID_STATUSES = ("processing", "completed")
REFUNDED_ACTION = "woocommerce_order_refunded"
_PING = re.compile(rb"webhook_id=[0-9]+")
# wp_specialchars_decode($secret, ENT_QUOTES): zero padding of numeric entities goes first,
# then one pass of replacements, the longest match first (PHP's strtr). Compiled only for a
# secret with an entity in it (re caches them): most secrets have none.
_PADDING = (
    (r"&#0*39;", "&#039;"),
    (r"&#[xX]0*27;", "&#x27;"),
    (r"&#0*34;", "&#034;"),
    (r"&#[xX]0*22;", "&#x22;"),
    (r"&#0*60;", "&#060;"),
    (r"&#0*62;", "&#062;"),
    (r"&#0*38;", "&#038;"),
    (r"&#[xX]0*26;", "&#x26;"),
)

if TYPE_CHECKING:
    # Only named in signatures: the terms' module loads the campaign models, which the
    # shop webhooks' function does not need.
    from passaparola.domain.shop import CouponTerms
    from passaparola.domain.vocabulary import Revoked
_ENTITIES = {
    "&#039;": "'",
    "&#x27;": "'",
    "&quot;": '"',
    "&#034;": '"',
    "&#x22;": '"',
    "&lt;": "<",
    "&#060;": "<",
    "&gt;": ">",
    "&#062;": ">",
    "&amp;": "&",
    "&#038;": "&",
    "&#x26;": "&",
}
_ENTITY = "|".join(re.escape(entity) for entity in sorted(_ENTITIES, key=len, reverse=True))


def verify(raw: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float) -> None:
    """`now` is unused: WooCommerce signs no time."""
    sent = header(headers, "x-wc-webhook-signature")
    if not sent:
        raise InvalidSignature("missing X-WC-Webhook-Signature header")
    theirs = sent.strip().encode()
    if not any(hmac.compare_digest(_digest(raw, secret), theirs) for secret in secrets):
        raise InvalidSignature(NO_MATCH)


def sign(raw: bytes, secret: str) -> dict[str, str]:
    """The header WooCommerce sends; for the local test shop and the tests."""
    return {"x-wc-webhook-signature": _digest(raw, secret).decode()}


def is_ping(content_type: str | None, raw: bytes) -> bool:
    """WooCommerce's unsigned check that a new webhook's URL answers."""
    form = (content_type or "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
    return form and _PING.fullmatch(raw) is not None


def order_id(woocommerce_id: str) -> str:
    return f"woocommerce:{woocommerce_id}"


def read(body: Mapping[str, Any], headers: Mapping[str, str]) -> ShopEvent:
    if "action" in body:
        woocommerce_id = text(body.get("arg"))
        if body.get("action") != REFUNDED_ACTION or woocommerce_id is None:
            return Ignored(f"passaparola does not use the action {body.get('action')}")
        return Refunded(f"{order_id(woocommerce_id)}:refund", order_id(woocommerce_id))
    woocommerce_id = text(body.get("id"))
    if woocommerce_id is None or "order_key" not in body:
        return Ignored("passaparola uses orders only; this is not one")
    status = body.get("status")
    if status == "refunded" or listed(body, "refunds"):
        return Refunded(f"{order_id(woocommerce_id)}:refund", order_id(woocommerce_id))
    if status not in PAID_STATUSES or not (body.get("date_paid") or body.get("date_paid_gmt")):
        return Ignored(f"the order is {status}: it counts once paid (processing or completed)")
    return _paid(woocommerce_id, body)


def _paid(woocommerce_id: str, order: Mapping[str, Any]) -> ShopEvent:
    email = text(field(order, "billing", "email"))
    if email is None:
        raise unreadable("a paid order has the billing email")
    paid = price(order.get("total"), order.get("currency"), "total")
    if paid is None:
        return Ignored("nothing was paid: total is 0")
    passed = [meta.get("value") for meta in listed(order, "meta_data") if meta.get("key") in REFERRAL_FIELDS]
    carried = codes(*passed, *(line.get("code") for line in listed(order, "coupon_lines")))
    where = order.get("shipping") if field(order, "shipping", "address_1") else order.get("billing")
    address = one_line(
        *(field(where, part) for part in ("address_1", "address_2", "postcode", "city", "state", "country"))
    )
    customer = order.get("customer_id")
    buyer = Identifiers(email, customer_id=text(customer) if customer else None, address=address)
    return Paid(f"{order_id(woocommerce_id)}:paid", PaidOrder(order_id(woocommerce_id), paid, buyer, carried))


def _digest(raw: bytes, secret: str) -> bytes:
    return base64.b64encode(hmac.new(_decoded(secret).encode(), raw, hashlib.sha256).digest())


def _decoded(secret: str) -> str:
    if "&" not in secret:
        return secret
    for pattern, canonical in _PADDING:
        secret = re.sub(pattern, canonical, secret)
    return re.sub(_ENTITY, lambda match: _ENTITIES[match.group()], secret)


# --- the friend's coupon, created in WooCommerce ----------------------------------------------
COUPONS_PATH = "/wp-json/wc/v3/coupons"
# Where the coupon says which reward and claim it is for: a code found taken is ours if it
# carries this claim's id.
REWARD_META = "passaparola_reward_id"
CLAIM_META = "passaparola_claim_id"
# A referrer's coupon (or credit, a fixed-cart coupon) carries its reward's key instead.
REWARD_KEY_META = "passaparola_reward_key"
CODE_TAKEN = "woocommerce_rest_coupon_code_already_exists"


def key_meta(terms: CouponTerms) -> str:
    return CLAIM_META if terms.first_order else REWARD_KEY_META


def coupon_body(terms: CouponTerms) -> dict[str, Any]:
    """POST /wp-json/wc/v3/coupons: one use, once per customer, for its owner's email only (a
    friend's until the referral's window closes; a referrer's, or their credit as a fixed-cart
    coupon, with no end). WooCommerce's store has one currency: the amount is in it."""
    body: dict[str, Any] = {
        "code": terms.code,
        "discount_type": "percent" if terms.percent is not None else "fixed_cart",
        "amount": str(terms.percent if terms.percent is not None else terms.amount),
        "individual_use": True,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "email_restrictions": [terms.email],
        "description": f"Referral: {terms.campaign}"
        if terms.first_order
        else f"Referral reward: {terms.campaign}",
        "meta_data": [
            {"key": REWARD_META, "value": terms.reward_id},
            {"key": key_meta(terms), "value": terms.key},
        ],
    }
    if terms.expires_at is not None:
        body["date_expires_gmt"] = terms.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if terms.min_subtotal is not None:
        body["minimum_amount"] = str(terms.min_subtotal)
    return body


def ours(found: Any, terms: CouponTerms) -> bool:
    """Whether coupons listed by `?code=` hold this reward's coupon (a retry's, made before)."""
    return isinstance(found, list) and any(
        isinstance(coupon, dict)
        and any(
            isinstance(meta, dict) and meta.get("key") == key_meta(terms) and meta.get("value") == terms.key
            for meta in coupon.get("meta_data") or ()
        )
        for coupon in found
    )


# --- an unused coupon deactivated after a refund ----------------------------------------------
DEACTIVATED_META = "passaparola_deactivated"
_STAMP = "%Y-%m-%dT%H:%M:%S"


def to_deactivate(found: Any, code: str, now: datetime) -> tuple[int | None, Revoked]:
    """From `GET /wp-json/wc/v3/coupons?code=`: the coupon to make expire now (its id and
    "deactivated"), or none, with what it is: used already, expired already ("deactivated"), or
    not in this shop ("absent"). WooCommerce keeps codes in lower case."""
    coupons = found if isinstance(found, list) else []
    coupon = next((c for c in coupons if isinstance(c, Mapping) and c.get("code") == code.lower()), None)
    if coupon is None or not isinstance(coupon.get("id"), int):
        return None, "absent"
    if isinstance(coupon.get("usage_count"), int) and coupon["usage_count"] > 0:
        return None, "used"
    expires = coupon.get("date_expires_gmt")
    if isinstance(expires, str) and expires <= _gmt(now):
        return None, "deactivated"
    return coupon["id"], "deactivated"


def deactivation_body(now: datetime) -> dict[str, Any]:
    """PUT /wp-json/wc/v3/coupons/<id>: the coupon expires now, which WooCommerce refuses at
    checkout ("This coupon has expired"). Reversible (a later expiry brings it back) and kept
    in the shop's coupon list with why, where deleting it would lose both."""
    return {
        "date_expires_gmt": _gmt(now),
        "meta_data": [{"key": DEACTIVATED_META, "value": "the referral's order was refunded"}],
    }


def coupon_path(coupon_id: int) -> str:
    return f"{COUPONS_PATH}/{coupon_id}"


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_STAMP)
