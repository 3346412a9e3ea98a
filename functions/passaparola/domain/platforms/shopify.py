"""Shopify's webhooks: `X-Shopify-Hmac-Sha256`, and `orders/paid` and `refunds/create`.

The signature is the base64 HMAC-SHA256 of the raw body, keyed with the app's client secret
(or, for a webhook made in the shop's admin, the key shown there); nothing else is signed, not
even a time. So a replay cannot be told by its age: the same order counts once, and a refund
twice changes nothing. During a secret's rotation Shopify signs with the new one within the
hour: the old and the new are both accepted.

The topic and the delivery id (`X-Shopify-Webhook-Id`, the same on each retry) are headers
outside the signature. The topic only chooses how to read the body, and the body must then be
what that topic delivers: an Order for `orders/paid`, a Refund for `refunds/create`. A paid
order's id is its GraphQL id (`gid://shopify/Order/<id>`), which a refund's `order_id` gives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
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
    query_value,
    text,
    unreadable,
)

if TYPE_CHECKING:
    # Only named in signatures: the terms' module loads the campaign models, which the
    # shop webhooks' function does not need.
    from passaparola.domain.shop import CouponTerms, Grant
    from passaparola.domain.vocabulary import Revoked

PAID = "orders/paid"
REFUNDED = "refunds/create"
# A refund transaction that did not fail returned money (or is about to).
_FAILED = ("failure", "error")


def verify(raw: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float) -> None:
    """`now` is unused: Shopify signs no time."""
    sent = header(headers, "x-shopify-hmac-sha256") or header(headers, "shopify-hmac-sha256")
    if not sent:
        raise InvalidSignature("missing X-Shopify-Hmac-Sha256 header")
    theirs = sent.strip().encode()
    if not any(hmac.compare_digest(_digest(raw, secret), theirs) for secret in secrets):
        raise InvalidSignature(NO_MATCH)


def sign(raw: bytes, secret: str) -> dict[str, str]:
    """The header Shopify sends; for the local test shop and the tests."""
    return {"x-shopify-hmac-sha256": _digest(raw, secret).decode()}


def order_id(shopify_id: str) -> str:
    return f"gid://shopify/Order/{shopify_id}"


def read(body: Mapping[str, Any], headers: Mapping[str, str]) -> ShopEvent:
    topic = header(headers, "x-shopify-topic") or header(headers, "shopify-topic")
    if topic not in (PAID, REFUNDED):
        return Ignored(f"passaparola does not use {topic or 'untitled'} webhooks")
    delivery = header(headers, "x-shopify-webhook-id")
    if not delivery:
        raise unreadable("missing X-Shopify-Webhook-Id header")
    event_id = f"shopify:{delivery.strip()}"
    return _paid(event_id, body) if topic == PAID else _refunded(event_id, body)


def _paid(event_id: str, order: Mapping[str, Any]) -> ShopEvent:
    shopify_id = text(order.get("id"))
    if shopify_id is None or "order_id" in order or "financial_status" not in order:
        raise unreadable("an orders/paid webhook carries an Order")
    status = order.get("financial_status")
    if status != "paid":
        return Ignored(f"the order's financial_status is {status}, not paid")
    customer = order.get("customer")
    email = text(order.get("email")) or text(order.get("contact_email")) or text(field(customer, "email"))
    if email is None:
        raise unreadable("a paid order has the customer's email")
    # The shop's currency: the one the campaign's amounts are written in.
    paid = price(order.get("total_price"), order.get("currency"), "total_price")
    if paid is None:
        return Ignored("nothing was paid: total_price is 0")
    passed = [a.get("value") for a in listed(order, "note_attributes") if a.get("name") in REFERRAL_FIELDS]
    carried = codes(
        *passed,
        *(query_value(order.get("landing_site"), name) for name in REFERRAL_FIELDS),
        *(entry.get("code") for entry in listed(order, "discount_codes")),
    )
    where = order.get("shipping_address") or order.get("billing_address")
    address = one_line(
        *(
            field(where, part)
            for part in ("address1", "address2", "zip", "city", "province_code", "country_code")
        )
    )
    buyer = Identifiers(email, customer_id=text(field(customer, "id")), address=address)
    # The language the buyer's checkout was in ("pl", "pl-PL"): the invitation to join uses it.
    locale = text(order.get("customer_locale"))
    return Paid(event_id, PaidOrder(order_id(shopify_id), paid, buyer, carried, locale=locale))


def _refunded(event_id: str, refund: Mapping[str, Any]) -> ShopEvent:
    shopify_id = text(refund.get("order_id"))
    if shopify_id is None or "transactions" not in refund:
        raise unreadable("a refunds/create webhook carries a Refund")
    returned = any(
        t.get("kind") == "refund" and t.get("status") not in _FAILED for t in listed(refund, "transactions")
    )
    if not returned:
        return Ignored("this refund returned no money (no refund transaction that did not fail)")
    return Refunded(event_id, order_id(shopify_id))


def _digest(raw: bytes, secret: str) -> bytes:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest())


# --- the friend's coupon, created in Shopify (Admin GraphQL API) -------------------------------
# A stable version, supported for a year from its release; the local stand-in refuses others.
API_VERSION = "2026-07"
CREATE = """mutation discountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}"""
FIND = """query codeDiscountNodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount { ... on DiscountCodeBasic { title status asyncUsageCount } }
  }
}"""
DEACTIVATE = """mutation discountCodeDeactivate($id: ID!) {
  discountCodeDeactivate(id: $id) {
    codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status } } }
    userErrors { field code message }
  }
}"""
CODE_TAKEN = "TAKEN"


def discount_title(terms: CouponTerms) -> str:
    """The discount's title in the shop's admin: whose it is, so a code found taken is known."""
    whose = "claim" if terms.first_order else "reward"
    return f"Referral {terms.reward_id} for {whose} {terms.key}"


def discount_variables(terms: CouponTerms) -> dict[str, Any]:
    """`discountCodeBasicCreate`'s input: the whole order, used once and once per customer, over
    the minimum, from the claim to the end of the referral's window. Shopify limits a discount
    to customers by id, and a friend is rarely one yet: anyone with the code may use it, once."""
    if terms.percent is not None:
        value: dict[str, Any] = {"percentage": float(terms.percent / 100)}
    else:
        value = {"discountAmount": {"amount": str(terms.amount), "appliesOnEachItem": False}}
    discount: dict[str, Any] = {
        "title": discount_title(terms),
        "code": terms.code,
        "startsAt": terms.starts_at.isoformat(),
        "context": {"all": "ALL"},
        "customerGets": {"value": value, "items": {"all": True}},
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
    }
    if terms.expires_at is not None:
        discount["endsAt"] = terms.expires_at.isoformat()
    if terms.min_subtotal is not None:
        discount["minimumRequirement"] = {
            "subtotal": {"greaterThanOrEqualToSubtotal": str(terms.min_subtotal)}
        }
    return {"basicCodeDiscount": discount}


def created(found: Any) -> str | None:
    """ "created", "taken", or None for an answer that made nothing (errors, throttled)."""
    payload = field(found, "data", "discountCodeBasicCreate")
    if not isinstance(payload, dict):
        return None
    errors = payload.get("userErrors") or []
    if not errors and isinstance(payload.get("codeDiscountNode"), dict):
        return "created"
    taken = any(isinstance(e, dict) and e.get("code") == CODE_TAKEN for e in errors)
    return "taken" if taken else None


def ours(found: Any, terms: CouponTerms) -> bool:
    """Whether the discount found by its code is this claim's."""
    title = field(found, "data", "codeDiscountNodeByCode", "codeDiscount", "title")
    return isinstance(title, str) and title == discount_title(terms)


# --- the referrer's store credit, issued in Shopify -------------------------------------------
CUSTOMER = """query customerByEmail($query: String!) {
  customers(first: 1, query: $query) { nodes { id } }
}"""
CREDIT = """mutation storeCreditAccountCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
    storeCreditAccountTransaction { id amount { amount currencyCode } }
    userErrors { field code message }
  }
}"""
# Shopify's clock against ours: a credit stamped this much before our first call began may
# still be that call's.
CLOCK_SKEW = timedelta(minutes=1)
# The credits on the customer's accounts, newest first: Shopify keeps no reference of ours on a
# store credit transaction, so a lost answer is found by its amount and time.
CREDITS = """query storeCredits($id: ID!) {
  customer(id: $id) {
    storeCreditAccounts(first: 10) {
      nodes {
        transactions(first: 50, reverse: true) {
          nodes { ... on StoreCreditAccountCreditTransaction { id amount { amount currencyCode } createdAt } }
        }
      }
    }
  }
}"""


def customer_variables(email: str) -> dict[str, Any]:
    """Shopify's search syntax: the email quoted, so its dots and @ are one term."""
    return {"query": f'email:"{email}"'}


def customer_found(found: Any) -> str | None:
    nodes = field(found, "data", "customers", "nodes")
    first = nodes[0] if isinstance(nodes, list) and nodes else None
    return text(field(first, "id"))


def credit_variables(customer: str, grant: Grant) -> dict[str, Any]:
    """`storeCreditAccountCredit` on the customer (Shopify opens their account in this currency
    if they have none), in the campaign's currency: the shop's."""
    if grant.amount is None or grant.currency is None:
        raise ValueError(f"credit {grant.reward_id} has no amount")
    return {
        "id": customer,
        "creditInput": {"creditAmount": {"amount": str(grant.amount), "currencyCode": grant.currency}},
    }


def credited(found: Any) -> str | None:
    """The credit transaction's id, or None for an answer that made nothing."""
    payload = field(found, "data", "storeCreditAccountCredit")
    if not isinstance(payload, dict) or payload.get("userErrors"):
        return None
    return text(field(payload, "storeCreditAccountTransaction", "id"))


def credits_since(found: Any, grant: Grant) -> list[str]:
    """The credits of this reward's amount made since its first call began: what a lost answer
    may have made, oldest first (the ledger lets one reward alone hold each)."""
    if grant.attempted_at is None or grant.amount is None:
        return []
    matching = []
    accounts = field(found, "data", "customer", "storeCreditAccounts", "nodes")
    for account in accounts if isinstance(accounts, list) else ():
        for credit in listed(field(account, "transactions"), "nodes"):
            amount, at = field(credit, "amount"), credit.get("createdAt")
            try:
                made = datetime.fromisoformat(at) if isinstance(at, str) else None
                same = Decimal(str(field(amount, "amount"))) == grant.amount
            except (ValueError, ArithmeticError):
                continue
            if (
                same
                and field(amount, "currencyCode") == grant.currency
                and made
                and made >= grant.attempted_at - CLOCK_SKEW
            ):
                matching.append((made, text(credit.get("id"))))
    return [credit for _, credit in sorted(matching, key=lambda m: m[0]) if credit]


def to_deactivate(found: Any) -> tuple[str | None, Revoked]:
    """From `codeDiscountNodeByCode`: the discount to deactivate (its id and "deactivated"), or
    none, with what it is: used already (`asyncUsageCount`), no longer active (a deactivated
    discount ends now, so its status is EXPIRED), or not in this shop ("absent")."""
    node = field(found, "data", "codeDiscountNodeByCode")
    node_id = text(field(node, "id"))
    if node_id is None:
        return None, "absent"
    used = field(node, "codeDiscount", "asyncUsageCount")
    if isinstance(used, int) and used > 0:
        return None, "used"
    if field(node, "codeDiscount", "status") == "EXPIRED":
        return None, "deactivated"
    return node_id, "deactivated"


def deactivated(found: Any) -> bool:
    """Whether `discountCodeDeactivate` answered the discount, without errors."""
    payload = field(found, "data", "discountCodeDeactivate")
    return isinstance(field(payload, "codeDiscountNode"), dict) and not field(payload, "userErrors")
