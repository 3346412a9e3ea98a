"""Stripe's webhooks: the `Stripe-Signature` scheme, and Checkout sessions and charges.

The check is stripe-python's `WebhookSignature.verify_header` (the tests hold it to that very
function): HMAC-SHA256 of "<t>.<body>" keyed with the whole `whsec_...` secret, lowercase hex,
any of the header's `v1` signatures, compared in constant time, and then the time. One thing
more: a timestamp more than 5 minutes in the future is refused too, as our own webhooks refuse
one; Stripe signs each delivery when it sends it, retries included.

Orders: a Checkout session once paid (`checkout.session.completed` with payment_status paid,
or `checkout.session.async_payment_succeeded` for a payment that settles later). Its order id
is the session's payment intent (`pi_...`), because that is what a refunded charge names; a
session without one (nothing to pay now) falls back to its own id. Refunds: `charge.refunded`,
full or partial, found by the charge's payment intent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

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

if TYPE_CHECKING:
    # Only named in signatures: the terms' module loads the campaign models, which the
    # shop webhooks' function does not need.
    from passaparola.domain.shop import CouponTerms, Grant
    from passaparola.domain.vocabulary import Revoked

TOLERANCE_SECONDS = 300
PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUNDED = "charge.refunded"
_DIGITS = re.compile(r"[0-9]{1,12}", re.ASCII)
# Stripe's minor units, where they are not two decimals (docs.stripe.com/currencies). They are
# not always ISO 4217's: Stripe counts ISK in hundredths, ISO in whole krónur.
_ZERO_DECIMAL = frozenset(
    (
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    )
)

_THREE_DECIMAL = frozenset(("BHD", "JOD", "KWD", "OMR", "TND"))


def verify(raw: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float) -> None:
    sent = header(headers, "stripe-signature")
    if not sent:
        raise InvalidSignature("missing Stripe-Signature header")
    pairs = [item.split("=", 1) for item in sent.split(",")]
    stamps = [pair[1] for pair in pairs if len(pair) == 2 and pair[0] == "t"]
    signatures = [pair[1].encode() for pair in pairs if len(pair) == 2 and pair[0] == "v1"]
    if not stamps or not _DIGITS.fullmatch(stamps[0]):
        raise InvalidSignature("Stripe-Signature has no t=<Unix time in seconds>")
    if not signatures:
        raise InvalidSignature("Stripe-Signature has no v1 signature")
    timestamp = int(stamps[0])
    signed = f"{timestamp}.".encode() + raw
    expected = [hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode() for secret in secrets]
    if not any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in signatures):
        raise InvalidSignature(NO_MATCH)
    if timestamp < now - TOLERANCE_SECONDS:
        raise InvalidSignature("Stripe-Signature's timestamp is more than 5 minutes in the past")
    if timestamp > now + TOLERANCE_SECONDS:
        raise InvalidSignature("Stripe-Signature's timestamp is more than 5 minutes in the future")


def sign(raw: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The header Stripe sends; for the local test shop and the tests."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return {"stripe-signature": f"t={timestamp},v1={digest}"}


def read(event: Mapping[str, Any], headers: Mapping[str, str]) -> ShopEvent:
    event_id, kind = text(event.get("id")), text(event.get("type"))
    if event_id is None or kind is None:
        raise unreadable("a Stripe event has an id and a type")
    found = field(event, "data", "object")
    if not isinstance(found, Mapping):
        raise unreadable("a Stripe event has its object in data.object")
    if kind in PAID and found.get("object") == "checkout.session":
        return _paid(f"stripe:{event_id}", found)
    if kind == REFUNDED and found.get("object") == "charge":
        intent = _id(found.get("payment_intent"))
        if intent is None:
            return Ignored("the charge has no payment intent, which is how its order is found")
        return Refunded(f"stripe:{event_id}", intent)
    return Ignored(f"passaparola does not use {kind} events")


def _paid(event_id: str, session: Mapping[str, Any]) -> ShopEvent:
    status = session.get("payment_status")
    if status != "paid":
        return Ignored(
            f"the session's payment_status is {status}: it counts once paid "
            "(checkout.session.async_payment_succeeded)"
        )
    order_id = _id(session.get("payment_intent")) or text(session.get("id"))
    email = text(field(session, "customer_details", "email")) or text(session.get("customer_email"))
    if order_id is None or email is None:
        raise unreadable("a paid Checkout session has an id and the customer's email")
    total, currency = session.get("amount_total"), text(session.get("currency"))
    if not isinstance(total, int) or isinstance(total, bool) or currency is None:
        raise unreadable("a paid Checkout session has amount_total (minor units) and currency")
    paid = price(Decimal(total).scaleb(-minor_digits(currency.upper())), currency, "amount_total")
    if paid is None:
        return Ignored("nothing was paid: amount_total is 0")
    metadata = session.get("metadata")
    passed = [field(metadata, name) for name in REFERRAL_FIELDS] + [session.get("client_reference_id")]
    discounts = listed(session, "discounts")
    promotions = [entry.get("promotion_code") for entry in discounts]
    carried = codes(
        *passed,
        *(_id(entry.get("coupon")) for entry in discounts),  # a coupon's id can be our coupon's code
        *(field(promotion, "code") for promotion in promotions),  # when the event was expanded
    )
    shipping = (
        field(session, "collected_information", "shipping_details", "address")
        or field(session, "shipping_details", "address")
        or field(session, "customer_details", "address")
    )
    buyer = Identifiers(email, customer_id=_id(session.get("customer")), address=_address(shipping))
    unresolved = tuple(promotion for promotion in promotions if isinstance(promotion, str))
    # The language Checkout was shown in ("auto": the browser's, which the session does not say).
    order = PaidOrder(order_id, paid, buyer, carried, locale=text(session.get("locale")))
    return Paid(event_id, order, unresolved)


def _id(value: Any) -> str | None:
    """An expandable field: the id itself, or the expanded object's id."""
    return text(value.get("id")) if isinstance(value, Mapping) else text(value)


def minor_digits(currency: str) -> int:
    """How many decimals Stripe's integer amounts in this currency stand for."""
    return 0 if currency in _ZERO_DECIMAL else 3 if currency in _THREE_DECIMAL else 2


def _address(found: Any) -> str | None:
    return one_line(
        *(field(found, part) for part in ("line1", "line2", "postal_code", "city", "state", "country"))
    )


# --- the friend's coupon, created in Stripe ---------------------------------------------------
# Pinned, so the shape below holds whatever version the account defaults to: from 2025-09-30
# (clover) a promotion code names its coupon under `promotion[coupon]` instead of `coupon`.
API_VERSION = "2025-08-27.basil"


def _minor(amount: Decimal, currency: str) -> str:
    return str(int(amount.scaleb(minor_digits(currency.upper()))))


def coupon_id(terms: CouponTerms) -> str:
    """One Stripe coupon per campaign, reward and terms: a campaign whose offer changes gets a
    new coupon, and the friends' promotion codes made before keep theirs."""
    worth = f"{terms.percent}pct" if terms.percent is not None else f"{terms.amount}{terms.currency}"
    return f"passaparola-{terms.reward_id}-{worth}".replace(".", "_").lower()


def coupon_form(terms: CouponTerms) -> dict[str, str]:
    """POST /v1/coupons: the discount itself, once per order (`duration=once`)."""
    form = {"id": coupon_id(terms), "duration": "once", "name": f"Referral: {terms.campaign}"[:40]}
    if terms.percent is not None:
        form["percent_off"] = str(terms.percent)
    elif terms.amount is not None and terms.currency is not None:
        form |= {"amount_off": _minor(terms.amount, terms.currency), "currency": terms.currency.lower()}
    form["metadata[campaign]"] = terms.campaign
    return form


def key_metadata(terms: CouponTerms) -> str:
    """The metadata that says whose a promotion code is: a code found taken is ours if it
    carries this key (a friend's claim id; a referrer's reward key)."""
    return "claim_id" if terms.first_order else "reward_key"


def promotion_code_form(terms: CouponTerms) -> dict[str, str]:
    """POST /v1/promotion_codes: the code one person types, once. A friend's is for a first
    purchase until the referral's window closes: Stripe restricts a code to a customer id, not an
    email, and none exists before the friend's first order, so `first_time_transaction` stands
    in for it. A referrer's has ordered before, and has no window."""
    form = {
        "coupon": coupon_id(terms),
        "code": terms.code,
        "max_redemptions": "1",
        "restrictions[first_time_transaction]": "true" if terms.first_order else "false",
        "metadata[reward_id]": terms.reward_id,
        f"metadata[{key_metadata(terms)}]": terms.key,
        "metadata[campaign]": terms.campaign,
    }
    if terms.expires_at is not None:
        form["expires_at"] = str(int(terms.expires_at.timestamp()))
    if terms.min_subtotal is not None and terms.min_currency is not None:
        form["restrictions[minimum_amount]"] = _minor(terms.min_subtotal, terms.min_currency)
        form["restrictions[minimum_amount_currency]"] = terms.min_currency.lower()
    return form


# --- the referrer's credit and free month, issued in Stripe -----------------------------------
# Where a balance transaction or a free month's coupon says which reward it is.
REWARD_KEY = "reward_key"


def customers_path(email: str) -> str:
    """GET /v1/customers by email (Stripe compares it case-sensitively, as it was stored)."""
    return f"/v1/customers?email={quote(email, safe='')}&limit=1"


def customer_id(found: Any) -> str | None:
    """The first customer of a list answer, or None: the referrer is no customer in Stripe."""
    listed = field(found, "data")
    first = listed[0] if isinstance(listed, list) and listed else None
    return text(field(first, "id"))


def balance_form(grant: Grant) -> dict[str, str]:
    """POST /v1/customers/{id}/balance_transactions: a negative amount is a credit, which Stripe
    takes off the customer's next invoices."""
    if grant.amount is None or grant.currency is None:
        raise ValueError(f"credit {grant.reward_id} has no amount")
    return {
        "amount": str(-int(_minor(grant.amount, grant.currency))),
        "currency": grant.currency.lower(),
        "description": f"Referral reward: {grant.campaign}"[:350],
        f"metadata[{REWARD_KEY}]": grant.key,
        "metadata[reward_id]": grant.reward_id,
    }


def balance_found(found: Any, grant: Grant) -> str | None:
    """The balance transaction this reward made, among a customer's, or None."""
    return next(
        (
            text(entry.get("id"))
            for entry in listed(found, "data")
            if field(entry, "metadata", REWARD_KEY) == grant.key
        ),
        None,
    )


def free_coupon_id(grant: Grant) -> str:
    """A coupon of its own per reward, redeemable once: Stripe itself refuses it a second
    subscription, and its `times_redeemed` says whether a lost answer applied it."""
    digest = hashlib.sha256(grant.key.encode()).hexdigest()[:24]
    return f"passaparola-free-{digest}"


def free_coupon_form(grant: Grant) -> dict[str, str]:
    """POST /v1/coupons: 100% off the subscription's next `months` invoices (one: `once`)."""
    months = grant.months or 1
    form = {
        "id": free_coupon_id(grant),
        "percent_off": "100",
        "duration": "once" if months == 1 else "repeating",
        "max_redemptions": "1",
        "name": f"Referral: {months} free month{'s' if months > 1 else ''}"[:40],
        f"metadata[{REWARD_KEY}]": grant.key,
        "metadata[reward_id]": grant.reward_id,
    }
    if months > 1:
        form["duration_in_months"] = str(months)
    return form


def subscriptions_path(customer: str) -> str:
    return f"/v1/subscriptions?customer={quote(customer, safe='')}&status=active&limit=1"


def monthly_subscription(found: Any) -> tuple[str, list[str]] | None:
    """The customer's active subscription billed every month, and the ids of the discounts it
    has (kept: setting `discounts` replaces them all); None without one. A free month on a
    yearly plan would be a free year: that waits for the business."""
    listed_subscriptions = listed(found, "data")
    if not listed_subscriptions:
        return None
    subscription = listed_subscriptions[0]
    items = listed(field(subscription, "items"), "data")
    monthly = bool(items) and all(
        field(item, "price", "recurring", "interval") == "month"
        and field(item, "price", "recurring", "interval_count") == 1
        for item in items
    )
    subscription_id = text(subscription.get("id"))
    if not monthly or subscription_id is None:
        return None
    discounts = subscription.get("discounts")
    kept = [d for d in discounts if isinstance(d, str)] if isinstance(discounts, list) else []
    return subscription_id, kept


def discounts_form(kept: Sequence[str], coupon: str) -> dict[str, str]:
    """POST /v1/subscriptions/{id}: its discounts as they were, and the free month's coupon."""
    form = {f"discounts[{i}][discount]": discount for i, discount in enumerate(kept)}
    form[f"discounts[{len(kept)}][coupon]"] = coupon
    return form


def redeemed(found: Any) -> bool:
    """Whether a coupon read back has been applied (its one redemption)."""
    times = field(found, "times_redeemed")
    return isinstance(times, int) and times > 0


# --- an unused promotion code deactivated after a refund --------------------------------------
DEACTIVATE = {"active": "false", "metadata[passaparola_deactivated]": "the referral's order was refunded"}


def to_deactivate(found: Any, code: str) -> tuple[str | None, Revoked]:
    """From `GET /v1/promotion_codes?code=`: the promotion code to set `active=false` (its id and
    "deactivated"), or none, with what it is: redeemed already ("used"), inactive already
    ("deactivated"), or not in this account ("absent"). Codes are unique regardless of case among
    active ones; an inactive one may share its text with an older one."""
    same = [p for p in listed(found, "data") if str(p.get("code", "")).lower() == code.lower()]
    if not same:
        return None, "absent"
    if any(isinstance(p.get("times_redeemed"), int) and p["times_redeemed"] > 0 for p in same):
        return None, "used"
    active = next((p for p in same if p.get("active") is True), None)
    return (text(active.get("id")) if active else None), "deactivated"
