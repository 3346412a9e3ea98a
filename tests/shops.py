"""The shop platforms' documented webhooks (tests/fixtures/shops, each with its source in a
.source.txt beside it), made to carry a test's own codes and signed each platform's way."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passaparola.domain.platforms import shopify, stripe, woocommerce
from passaparola.domain.shop import CouponTerms
from passaparola_localstack.shop_samples import php_json

if TYPE_CHECKING:
    from passaparola_localstack.serve import PlayedApi

FIXTURES = Path(__file__).parent / "fixtures" / "shops"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "signing_vectors.json").read_text())


def coupon_terms(expires_at: datetime, **changes: object) -> CouponTerms:
    """The spring campaign's friend's coupon (10%, from 20 EUR), a window ending at `expires_at`."""
    base = CouponTerms(
        code="SPRING-5HK9-NP86-RZ9", key="cl_claim", campaign="spring", reward_id="friend-spring",
        percent=Decimal(10), amount=None, currency=None, min_subtotal=Decimal("20.00"), min_currency="EUR",
        starts_at=expires_at - timedelta(days=30), expires_at=expires_at, email="marco@example.org",
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@contextmanager
def served(fake: PlayedApi, asked: list[str] | None = None) -> Iterator[str]:
    """A platform's stand-in on a loopback port, reached over HTTP as the functions reach the
    platform: yields its base URL; `asked`, when given, collects each path asked for."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_PUT(self) -> None:
            self._answer()

        def _answer(self) -> None:
            if asked is not None:
                asked.append(self.path)
            path, _, query = self.path.partition("?")
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status, found = fake.handle(self.command, path, query, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(found).encode())

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def parsed(body: bytes) -> Any:
    """A body as the function parses it: decimals exact."""
    return json.loads(body, parse_float=Decimal)


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


def stripe_checkout(
    secret: str,
    now: int,
    *,
    code: str | None = None,
    coupon_id: str | None = None,
    promotion: str | None = None,
    event_id: str | None = None,
    **session: Any,
) -> Delivery:
    """Stripe's checkout.session.completed, with the referral code in metadata and
    client_reference_id, and the friend's coupon as a coupon id or a promotion code's id."""
    event = fixture("stripe_checkout_session_completed.json")
    found = event["data"]["object"]
    found["metadata"] = {"referral_code": code} if code else {}
    found["client_reference_id"] = code
    found["discounts"] = (
        [{"coupon": coupon_id, "promotion_code": promotion}] if coupon_id or promotion else []
    )
    found.update(session)
    event["id"] = event_id or event["id"]
    return _stripe(event, secret, now)


def stripe_refund(secret: str, now: int, payment_intent: str, **event_fields: Any) -> Delivery:
    event = fixture("stripe_charge_refunded.json") | event_fields
    event["data"]["object"]["payment_intent"] = payment_intent
    return _stripe(event, secret, now)


def _stripe(event: dict[str, Any], secret: str, now: int) -> Delivery:
    body = json.dumps(event, indent=2).encode()
    return Delivery(
        "/integrations/stripe",
        {"content-type": "application/json; charset=utf-8"} | stripe.sign(body, secret, now),
        body,
    )


def shopify_paid(
    secret: str, *, code: str | None = None, coupon: str | None = None, **order: Any
) -> Delivery:
    """Shopify's orders/paid: the referral code as a cart attribute, the coupon among the
    order's discount codes after the shop's own TENOFF."""
    body = fixture("shopify_orders_paid.json")
    body["note_attributes"] = [a for a in body["note_attributes"] if a["name"] != "ref"]
    if code:
        body["note_attributes"].append({"name": "ref", "value": code})
    if coupon:
        body["discount_codes"].append({"code": coupon, "amount": "5.00", "type": "percentage"})
    body.update(order)
    return _shopify(body, secret, "orders/paid", _webhook_id("shopify_orders_paid.json"))


def shopify_refund(secret: str, order_id: int) -> Delivery:
    body = fixture("shopify_refunds_create.json") | {"order_id": order_id}
    return _shopify(body, secret, "refunds/create", _webhook_id("shopify_refunds_create.json"))


def _shopify(body: dict[str, Any], secret: str, topic: str, webhook_id: str) -> Delivery:
    raw_body = json.dumps(body).encode()
    headers = {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": webhook_id,
    }
    return Delivery("/integrations/shopify", headers | shopify.sign(raw_body, secret), raw_body)


def _webhook_id(name: str) -> str:
    (vector,) = [v for v in VECTORS["shopify"] if v["file"] == name]
    return str(vector["headers"]["X-Shopify-Webhook-Id"])


def woocommerce_order(
    secret: str, *, fixture_name: str = "woocommerce_order_updated_processing.json", code: str | None = None,
    coupon: str | None = None, **order: Any,
) -> Delivery:  # fmt: skip
    """WooCommerce's order.updated: the referral code as order meta, the coupon in coupon_lines
    (WooCommerce keeps coupon codes in lower case), the body as wp_json_encode writes it."""
    body = fixture(fixture_name)
    body["meta_data"] = [m for m in body["meta_data"] if m["key"] != "referral_code"]
    if code:
        body["meta_data"].append({"id": 13107, "key": "referral_code", "value": code})
    body["coupon_lines"] = (
        [{"id": 319, "code": coupon.lower(), "discount": "1.00", "discount_tax": "0.00", "meta_data": []}]
        if coupon
        else []
    )
    body.update(order)
    raw_body = php_json(json.loads(json.dumps(body)))
    headers = {"content-type": "application/json", "x-wc-webhook-topic": "order.updated"}
    return Delivery("/integrations/woocommerce", headers | woocommerce.sign(raw_body, secret), raw_body)
