"""POST /_local/checkout and /_local/refund on a stub of the running stack: bad input answered
as the API answers it, a refused code sending nothing, and a paid order sent as the platform
played sends it (its own signature, its own shape, the code as the shop holds it)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from passaparola.domain.platforms import Paid, Refunded, shopify, stripe, woocommerce
from passaparola_localstack import checkout
from passaparola_localstack.serve import ShopFake
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.woocommerce_fake import WooCommerceFake
from tests.unit.test_shop_refunds_and_checkout import create

pytestmark = pytest.mark.unit

JSON = "application/json"
SECRETS = {"stripe": "whsec_local", "shopify": "shopify_local", "woocommerce": "woo_local"}
READ = {"stripe": stripe, "shopify": shopify, "woocommerce": woocommerce}


@dataclass
class Gateway:
    sent: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def http(self, method: str, path: str, *, headers: dict[str, str], body: bytes) -> Any:
        self.sent.append((path, headers, body))


@dataclass
class Local:
    shop_platform: str | None
    gateway: Gateway = field(default_factory=Gateway)
    platform_secrets: dict[str, str] = field(default_factory=lambda: SECRETS)


def answered(found: tuple[int, dict[str, str], bytes]) -> tuple[int, Any]:
    status, headers, body = found
    assert headers["Content-Type"] == JSON
    return status, json.loads(body)


def pay(local: Local, shop: ShopFake | None, body: Any, content_type: str = JSON) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return answered(checkout.pay(local, shop, content_type, raw))


ORDER = {"email": "bob@example.com", "amount": "25.00", "currency": "eur"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "says"),
    [
        (ORDER, "text/plain", 415, "send application/json"),
        (b"[]", JSON, 422, "send a JSON object"),
        (b"{", JSON, 422, "send a JSON object"),
        (ORDER | {"tip": "1"}, JSON, 422, "unknown field tip"),
        (ORDER | {"email": "bob"}, JSON, 422, "email: an email address"),
        (ORDER | {"currency": "euro"}, JSON, 422, "currency: three letters, EUR"),
        (ORDER | {"amount": "0"}, JSON, 422, 'amount: more than 0, "49.90"'),
        (ORDER | {"amount": "NaN"}, JSON, 422, 'amount: more than 0, "49.90"'),
        (ORDER | {"amount": True}, JSON, 422, 'amount: more than 0, "49.90"'),
        (ORDER | {"code": 7}, JSON, 422, "code and ref: text, if given"),
    ],
)
def test_what_is_not_an_order_is_refused_and_sends_nothing(body, content_type, status, says):
    local = Local("stripe")
    assert pay(local, StripeFake(), body, content_type) == (status, pay_error(status, says))
    assert local.gateway.sent == []


def pay_error(status: int, says: str) -> dict[str, str]:
    error = {415: "unsupported_media_type", 422: "invalid_input"}[status]
    return {"error": error, "message": says}


def test_without_a_shop_played_the_checkout_says_how_to_play_one():
    status, said = pay(Local(None), None, ORDER)
    assert (status, said["error"]) == (409, "no_shop")


@pytest.mark.parametrize("fake", [StripeFake, WooCommerceFake, ShopifyFake])
def test_a_paid_order_is_sent_as_the_platforms_own_signed_webhook_and_its_refund_too(fake):
    shop: ShopFake = fake()
    platform = shop.till.platform
    local = Local(platform)
    create(shop, "CLUB-7K")
    assert pay(local, shop, ORDER | {"code": "NOPE"})[1]["accepted"] is False
    assert local.gateway.sent == []  # a refused code pays nothing, and tells nobody
    status, sale = pay(
        local, shop, ORDER | {"email": "marco@example.org", "code": "club-7k", "ref": "ANNA-2X"}
    )
    assert (status, sale) == (200, {"order_id": sale["order_id"], "accepted": True})
    ((path, headers, raw),) = local.gateway.sent
    assert path == f"/integrations/{platform}"
    module = READ[platform]
    module.verify(raw, headers, [SECRETS[platform]], time.time())  # signed the platform's way
    event = module.read(json.loads(raw), headers)
    assert isinstance(event, Paid)
    assert event.order.order_id.endswith(sale["order_id"].removeprefix("pi_"))
    assert (event.order.price.amount, event.order.price.currency) == (Decimal("25.00"), "EUR")
    if platform != "stripe":  # Stripe names a promotion code by id, which its API then reads
        assert "club-7k" in [code.lower() for code in event.order.codes]
    assert "ANNA-2X" in event.order.codes
    refund = checkout.refund(local, shop, JSON, json.dumps({"order_id": sale["order_id"]}).encode())
    assert answered(refund) == (200, {"order_id": sale["order_id"], "refunded": True})
    path, headers, raw = local.gateway.sent[-1]
    module.verify(raw, headers, [SECRETS[platform]], time.time())
    assert isinstance(module.read(json.loads(raw), headers), Refunded)
    again = checkout.refund(local, shop, JSON, json.dumps({"order_id": sale["order_id"]}).encode())
    assert answered(again)[0] == 404
