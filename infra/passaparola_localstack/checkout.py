"""The local shop's checkout: `POST /_local/checkout`, its page at `/_local/checkout/`, and
`POST /_local/refund`.

Whichever platform `serve --shop` plays checks the code typed as that platform would (its
stand-in holds the coupons the functions created), takes the order when it may, and then sends
passaparola that platform's own signed webhook (shop_samples.delivery: the same bodies and
signatures `passaparola store` sends), through the gateway, as the platform would from its
servers. A refund sends the platform's refund webhook for an order the till took.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol

from passaparola_localstack import shop_samples

if TYPE_CHECKING:
    from passaparola_localstack.gateway import Gateway

Answer = tuple[int, dict[str, str], bytes]
PAID = {"stripe": "checkout-completed", "shopify": "orders-paid", "woocommerce": "order-paid"}
REFUNDED = {"stripe": "charge-refunded", "shopify": "refunds-create", "woocommerce": "order-refunded"}
_JSON = {"Content-Type": "application/json", "Cache-Control": "no-store"}
# The other local pages' policy, and this page's own script and its calls to this origin.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_PAID_FIELDS = frozenset({"email", "amount", "currency", "code", "ref"})
_REFUND_FIELDS = frozenset({"order_id"})


@dataclass(frozen=True)
class Sale:
    """What the till did: the order taken (its `coupon` the code as the shop holds it), or
    the platform's reason for refusing the code."""

    order: shop_samples.Order | None
    reason: str | None = None


@dataclass
class Till:
    """The orders a local shop took at its checkout, and which of them were refunded."""

    platform: str
    orders: dict[str, shop_samples.Order] = field(default_factory=dict)
    refunded: set[str] = field(default_factory=set)

    def take(self, email: str, amount: Decimal, currency: str, ref: str | None, coupon: str | None) -> Sale:
        order_id = shop_samples.new_order_id(self.platform)
        order = shop_samples.Order(order_id, email, amount, currency, code=ref, coupon=coupon)
        self.orders[order_id] = order
        return Sale(order)

    def refund(self, order_id: str) -> shop_samples.Order | None:
        """The order, refunded now; None for one this till never took or refunded already."""
        if order_id not in self.orders or order_id in self.refunded:
            return None
        self.refunded.add(order_id)
        return self.orders[order_id]

    def listed(self) -> list[dict[str, Any]]:
        """The orders, in the local shop listing's shape (DESIGN.md, "Rewards in the shop")."""
        return [
            {
                "platform": self.platform,
                "kind": "order",
                "order_id": order.order_id,
                "email": order.email,
                "amount": f"{order.amount:.2f}",
                "currency": order.currency,
                "code": order.coupon,
                "active": order.order_id not in self.refunded,
                "used": False,
            }
            for order in self.orders.values()
        ]


class Checkout(Protocol):
    """A platform's stand-in, as its checkout: the code checked, the order taken or refused."""

    till: Till

    def checkout(
        self, email: str, amount: Decimal, currency: str, code: str | None, ref: str | None
    ) -> Sale: ...


class Local(Protocol):
    @property
    def shop_platform(self) -> str | None: ...

    @property
    def platform_secrets(self) -> dict[str, str]: ...

    @property
    def gateway(self) -> Gateway | None: ...


def pay(local: Local, shop: Checkout | None, content_type: str | None, body: bytes | None) -> Answer:
    """`{email, amount, currency, code?, ref?}`: `{order_id, accepted, reason?}`."""
    if shop is None or local.shop_platform is None:
        return _problem(HTTPStatus.CONFLICT, "no_shop", "no shop is played here: serve --shop stripe")
    sent = _object(content_type, body, _PAID_FIELDS)
    if isinstance(sent, tuple):
        return sent
    email, currency = sent.get("email"), sent.get("currency")
    if not isinstance(email, str) or "@" not in email:
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "email: an email address")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "currency: three letters, EUR")
    amount = _amount(sent.get("amount"))
    if amount is None:
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", 'amount: more than 0, "49.90"')
    optional = {name: sent.get(name) for name in ("code", "ref")}
    if any(value is not None and not isinstance(value, str) for value in optional.values()):
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "code and ref: text, if given")
    code, ref = ((optional[name] or "").strip() or None for name in ("code", "ref"))
    sale = shop.checkout(email.strip(), amount, currency.upper(), code, ref)
    if sale.order is None:
        return _answer({"order_id": None, "accepted": False, "reason": sale.reason})
    _deliver(local, PAID[local.shop_platform], sale.order)
    return _answer({"order_id": sale.order.order_id, "accepted": True})


def refund(local: Local, shop: Checkout | None, content_type: str | None, body: bytes | None) -> Answer:
    """`{order_id}` of an order the till took: the platform's refund webhook is sent."""
    if shop is None or local.shop_platform is None:
        return _problem(HTTPStatus.CONFLICT, "no_shop", "no shop is played here: serve --shop stripe")
    sent = _object(content_type, body, _REFUND_FIELDS)
    if isinstance(sent, tuple):
        return sent
    order_id = sent.get("order_id")
    if not isinstance(order_id, str):
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", 'send {"order_id": "..."}')
    order = shop.till.refund(order_id)
    if order is None:
        return _problem(HTTPStatus.NOT_FOUND, "not_found", f"no order {order_id} to refund at this checkout")
    _deliver(local, REFUNDED[local.shop_platform], order)
    return _answer({"order_id": order_id, "refunded": True})


def _deliver(local: Local, event: str, order: shop_samples.Order) -> None:
    """The platform's webhook, signed with its dev secret, as the platform posts it; what
    passaparola answers is its own business (the functions' logs say it)."""
    assert local.gateway is not None
    assert local.shop_platform is not None
    platform = local.shop_platform
    sent = shop_samples.delivery(platform, event, order, local.platform_secrets[platform], int(time.time()))
    local.gateway.http("POST", sent.path, headers=sent.headers, body=sent.body)


def _object(content_type: str | None, body: bytes | None, fields: frozenset[str]) -> dict[str, Any] | Answer:
    """The body as a JSON object of known fields, or the problem answered. JSON only, as the
    API takes it: another site's page cannot send that without a preflight."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return _problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send application/json")
    try:
        sent = json.loads(body or b"")
    except ValueError:
        sent = None
    if not isinstance(sent, dict):
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", "send a JSON object")
    unknown = sorted(sent.keys() - fields)
    if unknown:
        return _problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", f"unknown field {unknown[0]}")
    return sent


def _amount(value: Any) -> Decimal | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and 0 < amount < 10**9 else None


def _answer(found: dict[str, Any]) -> Answer:
    return HTTPStatus.OK, _JSON, json.dumps(found).encode()


def _problem(status: int, error: str, message: str) -> Answer:
    return status, _JSON, json.dumps({"error": error, "message": message}).encode()


def page(platform: str | None) -> Answer:
    """The checkout page: a plain form, sent by its script as JSON (so no other site's page can
    post to it without a preflight), the outcome shown in a live region."""
    played = platform or "none (serve --shop stripe, woocommerce or shopify)"
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Local checkout</title>
<link rel="stylesheet" href="/_local/dev.css"><script src="/_local/checkout.js" defer></script></head><body>
<h1>Local checkout</h1>
<p>The local shop ({played}) checks the code as its platform would, takes the order, and sends
passaparola its signed webhook.</p>
<form id="checkout">
<label>Email <input name="email" type="email" required autocomplete="email"></label>
<label>Amount <input name="amount" inputmode="decimal" required value="49.90"></label>
<label>Currency <input name="currency" required value="EUR" maxlength="3"></label>
<label>Coupon code (optional) <input name="code" autocomplete="off"></label>
<label>Referral code passed through checkout (optional) <input name="ref" autocomplete="off"></label>
<button>Pay</button></form>
<form id="refund"><label>Order id <input name="order_id" required></label>
<button>Refund it</button></form>
<p class="note" id="outcome" role="status" aria-live="polite"></p>
<p><a href="/_local/shop.json">What the shop holds</a> &middot; <a href="/_local/">Outbox</a></p>
</body></html>"""
    return HTTPStatus.OK, _PAGE_HEADERS | {"Content-Type": "text/html; charset=utf-8"}, html.encode()


SCRIPT = b"""'use strict';
const outcome = document.getElementById('outcome');
function said(answer, found) {
  if (!answer.ok) return found.message;
  if ('refunded' in found) return 'Refunded ' + found.order_id + '; the shop sent its refund webhook.';
  if (found.accepted) return 'Paid: order ' + found.order_id + '; the shop sent its webhook.';
  return 'Refused: ' + found.reason;
}
for (const [id, path] of [['checkout', '/_local/checkout'], ['refund', '/_local/refund']]) {
  document.getElementById(id).addEventListener('submit', async (event) => {
    event.preventDefault();
    const sent = {};
    for (const [name, value] of new FormData(event.target)) if (value.trim()) sent[name] = value.trim();
    outcome.textContent = 'Sending...';
    const answer = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                      body: JSON.stringify(sent)});
    const found = await answer.json();
    outcome.textContent = said(answer, found);
    if (found.order_id) document.querySelector('#refund input').value = found.order_id;
  });
}
"""


def script() -> Answer:
    return HTTPStatus.OK, _PAGE_HEADERS | {"Content-Type": "text/javascript; charset=utf-8"}, SCRIPT
