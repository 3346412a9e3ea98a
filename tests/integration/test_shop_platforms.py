"""Stripe's, Shopify's and WooCommerce's own webhooks through the gateway, on moto: their
documented examples (tests/fixtures/shops) carrying this test's codes, signed their way."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.platforms import shopify, stripe, woocommerce
from passaparola.storage import aws, secret_store
from passaparola_localstack import shop_samples
from passaparola_localstack.provision import PLATFORM_SECRETS
from passaparola_localstack.shop_samples import php_json
from passaparola_localstack.stripe_fake import StripeFake
from tests import shops
from tests.support import Answer, Client, items_under, table_items

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Shop:
    """One platform's documented events, in EUR (the gift campaign's currency), for one order."""

    name: str
    paid: Callable[..., shops.Delivery]  # (secret, order number, email, code=, coupon=)
    refund: Callable[[str, int], shops.Delivery]
    order_id: Callable[[int], str]


def _stripe_paid(
    secret: str, number: int, email: str, *, code: str | None = None, coupon: str | None = None
) -> shops.Delivery:
    return shops.stripe_checkout(
        secret, int(time.time()), code=code, coupon_id=coupon, event_id=f"evt_{number}", currency="eur",
        amount_total=4990, payment_intent=f"pi_{number}", customer_details={"email": email, "address": None},
    )  # fmt: skip


def _stripe_refund(secret: str, number: int) -> shops.Delivery:
    return shops.stripe_refund(secret, int(time.time()), f"pi_{number}", id=f"evt_refund_{number}")


def _shopify_paid(
    secret: str, number: int, email: str, *, code: str | None = None, coupon: str | None = None
) -> shops.Delivery:
    paid = shops.shopify_paid(
        secret, code=code, coupon=coupon, id=number, email=email, currency="EUR", customer=None
    )
    return replace(paid, headers=paid.headers | {"x-shopify-webhook-id": f"paid-{number}"})


def _shopify_refund(secret: str, number: int) -> shops.Delivery:
    refund = shops.shopify_refund(secret, number)
    return replace(refund, headers=refund.headers | {"x-shopify-webhook-id": f"refund-{number}"})


def _woo_paid(
    secret: str, number: int, email: str, *, code: str | None = None, coupon: str | None = None
) -> shops.Delivery:
    billing = shops.fixture("woocommerce_order_updated_processing.json")["billing"] | {"email": email}
    return shops.woocommerce_order(
        secret, code=code, coupon=coupon, id=number, currency="EUR", billing=billing
    )


def _woo_refund(secret: str, number: int) -> shops.Delivery:
    return shops.woocommerce_order(
        secret, fixture_name="woocommerce_order_updated_refunded.json", id=number, currency="EUR"
    )


SHOPS = {
    "stripe": Shop("stripe", _stripe_paid, _stripe_refund, lambda n: f"pi_{n}"),
    "shopify": Shop("shopify", _shopify_paid, _shopify_refund, lambda n: f"gid://shopify/Order/{n}"),
    "woocommerce": Shop("woocommerce", _woo_paid, _woo_refund, lambda n: f"woocommerce:{n}"),
}


@pytest.fixture(params=list(SHOPS))
def shop(request: pytest.FixtureRequest) -> Shop:
    return SHOPS[request.param]


def secret(client: Client, shop: Shop) -> str:
    return client.stack.secret_values[PLATFORM_SECRETS[shop.name]]


def send(client: Client, delivery: shops.Delivery) -> Answer:
    return client.call("POST", delivery.path, raw=delivery.body, headers=delivery.headers)


def order(client: Client, order_id: str) -> dict[str, Any]:
    (found,) = [o for o in items_under(client.stack, "ORDER#") if o["order_id"] == order_id]
    return found


@pytest.fixture
def referral(client: Client) -> tuple[str, str]:
    """Anna refers Marco in the gift campaign: Anna's code, and the coupon Marco was given."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    claimed = client.claim(code, "marco@example.com").body
    return code, claimed["friend_reward"]["coupon_code"]


def test_a_paid_order_with_the_referral_code_is_the_referrers(client, shop, referral):
    code, _ = referral
    answer = send(client, shop.paid(secret(client, shop), 5001, "giulia@example.com", code=code))
    assert (answer.status, answer.body["status"], answer.body["rewards"]) == (202, "queued", 1)
    recorded = order(client, shop.order_id(5001))
    assert (recorded["code"], recorded["via"], recorded["currency"]) == (code, "code", "EUR")


def test_a_paid_order_with_the_friends_coupon_and_another_address_is_the_referrers(client, shop, referral):
    code, coupon = referral
    answer = send(client, shop.paid(secret(client, shop), 5002, "marco.at.work@example.org", coupon=coupon))
    assert (answer.status, answer.body["status"]) == (202, "queued")
    recorded = order(client, shop.order_id(5002))
    assert (recorded["code"], recorded["via"]) == (code, "coupon")


def test_a_refund_voids_the_held_reward(client, shop, referral):
    code, _ = referral
    send(client, shop.paid(secret(client, shop), 5003, "giulia@example.com", code=code))
    client.run_worker()
    (held,) = items_under(client.stack, f"CODE#{code}", "REWARD#")
    assert held["status"] == "held"
    answer = send(client, shop.refund(secret(client, shop), 5003))
    assert answer.status == 202
    assert (answer.body["order_id"], answer.body["status"]) == (shop.order_id(5003), "refunded")
    assert [r["status"] for r in answer.body["rewards"]] == ["void"]
    (voided,) = items_under(client.stack, f"CODE#{code}", "REWARD#")
    assert (voided["status"], voided["void_reason"]) == ("void", "refunded")


def test_a_replayed_paid_order_is_a_duplicate_and_changes_nothing(client, shop, referral):
    code, _ = referral
    delivery = shop.paid(secret(client, shop), 5004, "giulia@example.com", code=code)
    first = send(client, delivery)
    before = table_items(client.stack)
    again = send(client, delivery)
    assert again.status == 202
    assert again.body == first.body | {"status": "duplicate", "rewards": 0}
    assert table_items(client.stack) == before
    assert len(items_under(client.stack, f"CODE#{code}", "REWARD#")) == 1


def test_a_replayed_refund_changes_nothing_more(client, shop, referral):
    code, _ = referral
    send(client, shop.paid(secret(client, shop), 5005, "giulia@example.com", code=code))
    refund = shop.refund(secret(client, shop), 5005)
    first = send(client, refund)
    before = table_items(client.stack)
    assert send(client, refund).body == first.body
    assert table_items(client.stack) == before


def test_a_tampered_event_is_refused_and_changes_nothing(client, shop, referral):
    code, _ = referral
    delivery = shop.paid(secret(client, shop), 5006, "giulia@example.com", code=code)
    before = table_items(client.stack)
    tampered = replace(delivery, body=delivery.body.replace(b"giulia@", b"mallory@"))
    answer = send(client, tampered)
    assert (answer.status, answer.body["error"]) == (401, "invalid_signature")
    unsigned = {k: v for k, v in delivery.headers.items() if "sig" not in k and "hmac" not in k}
    assert send(client, replace(delivery, headers=unsigned)).status == 401
    wrong_secret = shop.paid("not-the-secret", 5006, "giulia@example.com", code=code)
    assert send(client, wrong_secret).status == 401
    assert table_items(client.stack) == before


def test_a_stale_stripe_event_is_refused_and_changes_nothing(client, referral):
    """Only Stripe signs a time; Shopify and WooCommerce replays are told by what they name."""
    code, _ = referral
    stale = shops.stripe_checkout(
        secret(client, SHOPS["stripe"]), int(time.time()) - 301, code=code, currency="eur"
    )
    before = table_items(client.stack)
    answer = send(client, stale)
    assert (answer.status, answer.body["message"]) == (
        401,
        "Stripe-Signature's timestamp is more than 5 minutes in the past",
    )
    assert table_items(client.stack) == before


def test_a_signed_shopify_order_sent_again_under_a_new_delivery_id_still_counts_once(client, referral):
    """X-Shopify-Webhook-Id is not signed: a captured order replayed under a fresh id passes the
    idempotency key, and the order itself is then recorded already."""
    code, _ = referral
    delivery = _shopify_paid(secret(client, SHOPS["shopify"]), 5007, "giulia@example.com", code=code)
    send(client, delivery)
    replayed = send(client, replace(delivery, headers=delivery.headers | {"x-shopify-webhook-id": "forged"}))
    assert (replayed.status, replayed.body["status"]) == (202, "duplicate")
    assert len(items_under(client.stack, f"CODE#{code}", "REWARD#")) == 1


def test_a_signed_shopify_order_sent_as_a_refund_voids_nothing(client, referral):
    code, _ = referral
    paid = _shopify_paid(secret(client, SHOPS["shopify"]), 5008, "giulia@example.com", code=code)
    send(client, paid)
    relabelled = paid.headers | {"x-shopify-topic": "refunds/create", "x-shopify-webhook-id": "relabelled"}
    answer = send(client, replace(paid, headers=relabelled))
    assert (answer.status, answer.body["error"]) == (422, "invalid_request")
    (reward,) = items_under(client.stack, f"CODE#{code}", "REWARD#")
    assert reward["status"] != "void"


def test_events_passaparola_does_not_use_are_answered_200_and_ignored(client):
    key = secret(client, SHOPS["stripe"])
    body = json.dumps(shops.fixture("stripe_charge_refunded.json") | {"type": "charge.captured"}).encode()
    captured = shops.Delivery("/integrations/stripe", stripe.sign(body, key, int(time.time())), body)
    before = table_items(client.stack)
    answer = send(client, captured)
    assert (answer.status, answer.body) == (
        200,
        {"status": "ignored", "reason": "passaparola does not use charge.captured events"},
    )
    on_hold = shops.woocommerce_order(secret(client, SHOPS["woocommerce"]), status="on-hold")
    assert send(client, on_hold).body["status"] == "ignored"
    assert table_items(client.stack) == before


def test_woocommerces_ping_is_answered_200_and_nothing_else_is_unsigned(client):
    ping = client.call(
        "POST", "/integrations/woocommerce", raw=b"webhook_id=142",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert (ping.status, ping.body["status"]) == (200, "ignored")
    not_a_ping = client.call(
        "POST", "/integrations/woocommerce", raw=b"webhook_id=142&status=paid",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert not_a_ping.status == 415
    assert client.call("POST", "/integrations/woocommerce", {"id": 727}).status == 401


def test_during_a_rotation_the_old_and_the_new_secret_are_both_accepted(client, shop, referral):
    code, _ = referral
    old = secret(client, shop)
    aws.client("secretsmanager").put_secret_value(
        SecretId=client.stack.ref(PLATFORM_SECRETS[shop.name]), SecretString=f"new-secret {old}"
    )
    secret_store.forget()
    assert send(client, shop.paid("new-secret", 5009, "giulia@example.com", code=code)).status == 202
    assert send(client, shop.paid(old, 5010, "bea@example.com", code=code)).status == 202


def test_an_order_bigger_than_a_shops_own_call_may_be_is_taken(client, shop, referral):
    """A platform's order carries its line items: far more than the 16 KiB a shop's own call
    may send (the Shopify example alone is 19 KB)."""
    code, _ = referral
    delivery = shop.paid(secret(client, shop), 5011, "giulia@example.com", code=code)
    padded = json.loads(delivery.body) | {"note": "x" * 40_000}
    body = php_json(padded) if shop.name == "woocommerce" else json.dumps(padded).encode()
    answer = send(client, _resign(shop, delivery, body, secret(client, shop)))
    assert len(body) > 16 * 1024
    assert (answer.status, answer.body["status"]) == (202, "queued")


def _resign(shop: Shop, delivery: shops.Delivery, body: bytes, key: str) -> shops.Delivery:
    headers = {k: v for k, v in delivery.headers.items() if "sig" not in k and "hmac" not in k}
    if shop.name == "stripe":
        headers |= stripe.sign(body, key, int(time.time()))
    elif shop.name == "shopify":
        headers |= shopify.sign(body, key)
    else:
        headers |= woocommerce.sign(body, key)
    return replace(delivery, headers=headers, body=body)


# --- Stripe's promotion codes ---------------------------------------------------------------


@pytest.fixture
def stripe_api(client: Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The local stand-in of Stripe's API on a loopback port, and the key the functions send it;
    yields the paths asked for."""
    asked: list[str] = []
    with shops.served(StripeFake(), asked) as here:
        monkeypatch.setenv("STRIPE_API_URL", here)
        aws.client("secretsmanager").put_secret_value(
            SecretId=client.stack.ref("StripeApiKeySecret"), SecretString=shop_samples.STRIPE_API_KEY
        )
        wiring.reset()
        secret_store.forget()
        yield asked


def test_a_friends_coupon_typed_at_stripes_checkout_is_read_from_stripes_api(client, referral, stripe_api):
    code, coupon = referral
    promotion = shop_samples.promotion_id(coupon)
    delivery = shops.stripe_checkout(
        secret(client, SHOPS["stripe"]), int(time.time()), promotion=promotion, currency="eur",
        amount_total=4990, customer_details={"email": "marco.at.work@example.org"},
    )  # fmt: skip
    answer = send(client, delivery)
    assert (answer.status, answer.body["status"]) == (202, "queued")
    recorded = order(client, "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    assert (recorded["code"], recorded["via"]) == (code, "coupon")
    assert stripe_api == [f"/v1/promotion_codes/{promotion}"]
    send(client, delivery)  # a redelivery is answered from its first answer: Stripe is not asked again
    assert len(stripe_api) == 1


def test_without_a_stripe_api_key_a_promotion_code_attributes_nothing_and_stripe_is_not_asked(
    client, referral
):
    _, coupon = referral
    delivery = shops.stripe_checkout(
        secret(client, SHOPS["stripe"]), int(time.time()), promotion=shop_samples.promotion_id(coupon),
        currency="eur", amount_total=4990, customer_details={"email": "marco.at.work@example.org"},
    )  # fmt: skip
    answer = send(client, delivery)
    assert (answer.body["status"], answer.body["reason"]) == ("rejected", "unattributed")


def test_stripes_api_refusing_the_key_is_a_409_so_that_stripe_delivers_again(client, referral, stripe_api):
    _, coupon = referral
    aws.client("secretsmanager").put_secret_value(
        SecretId=client.stack.ref("StripeApiKeySecret"), SecretString="rk_test_revoked"
    )
    secret_store.forget()
    delivery = shops.stripe_checkout(
        secret(client, SHOPS["stripe"]), int(time.time()), promotion=shop_samples.promotion_id(coupon),
        currency="eur", amount_total=4990,
    )  # fmt: skip
    before = table_items(client.stack)
    answer = send(client, delivery)
    assert (answer.status, answer.body["error"]) == (409, "conflict")
    assert table_items(client.stack) == before  # the idempotency record is gone with the failure


def test_a_signed_json_array_is_refused_not_read_as_its_first_item(client, shop, referral):
    code, _ = referral
    delivery = shop.paid(secret(client, shop), 5012, "giulia@example.com", code=code)
    body = b"[" + delivery.body + b"]"
    answer = send(client, _resign(shop, delivery, body, secret(client, shop)))
    assert (answer.status, answer.body["message"]) == (422, "request body must be a JSON object")
