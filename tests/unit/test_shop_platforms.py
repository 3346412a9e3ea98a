"""The shop platforms' signatures and payloads, on their documented examples (tests/fixtures/
shops; each fixture's source is named in the .source.txt beside it). Stripe's verifier is held
to stripe-python's own `WebhookSignature.verify_header`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import replace
from decimal import Decimal

import pytest
import stripe as stripe_sdk
from hypothesis import given, settings
from hypothesis import strategies as st

from passaparola.domain.errors import InvalidInput, InvalidSignature
from passaparola.domain.money import Money
from passaparola.domain.platforms import Ignored, Paid, Refunded, shopify, stripe, woocommerce
from passaparola_localstack import shop_samples
from tests.shops import VECTORS, fixture, parsed, raw

pytestmark = pytest.mark.unit

STRIPE_CHECKOUT, STRIPE_REFUND = VECTORS["stripe"]
SHOPIFY_PAID, SHOPIFY_REFUND = VECTORS["shopify"]
WOO_PAID, WOO_REFUNDED, WOO_ACTION, WOO_PING = VECTORS["woocommerce"]


# --- Stripe ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["stripe"], ids=lambda v: v["event_type"])
def test_stripes_documented_events_verify_under_the_new_secret_and_in_rotation_under_the_old(vector):
    body = raw(vector["file"])
    stripe.verify(body, vector["headers"], [vector["secret"]], vector["timestamp"])
    rotation = {"Stripe-Signature": vector["rotation_header_example"]}
    stripe.verify(
        body, rotation, ["whsec_unrelated", vector["old_secret_during_rotation"]], vector["timestamp"]
    )


def test_a_stripe_event_with_one_byte_changed_is_refused():
    body = raw(STRIPE_CHECKOUT["file"]).replace(b'"amount_total": 1978', b'"amount_total": 9978')
    with pytest.raises(InvalidSignature, match="no signature matches"):
        stripe.verify(
            body, STRIPE_CHECKOUT["headers"], [STRIPE_CHECKOUT["secret"]], STRIPE_CHECKOUT["timestamp"]
        )


@pytest.mark.parametrize(("offset", "said"), [(301, "in the past"), (-301, "in the future")])
def test_a_stripe_event_signed_more_than_five_minutes_away_is_refused(offset, said):
    body, at = raw(STRIPE_CHECKOUT["file"]), STRIPE_CHECKOUT["timestamp"]
    with pytest.raises(InvalidSignature, match=said):
        stripe.verify(body, STRIPE_CHECKOUT["headers"], [STRIPE_CHECKOUT["secret"]], at + offset)


@pytest.mark.parametrize("offset", [300, -300])
def test_a_stripe_event_signed_five_minutes_away_is_still_taken(offset):
    body, at = raw(STRIPE_CHECKOUT["file"]), STRIPE_CHECKOUT["timestamp"]
    stripe.verify(body, STRIPE_CHECKOUT["headers"], [STRIPE_CHECKOUT["secret"]], at + offset)


@pytest.mark.parametrize(
    ("header", "said"),
    [(None, "missing"), ("v1=abc", "no t="), ("t=1686089970", "no v1"), ("t=soon,v1=abc", "no t=")],
)
def test_a_malformed_stripe_signature_header_says_what_is_wrong(header, said):
    headers = {"Stripe-Signature": header} if header else {}
    with pytest.raises(InvalidSignature, match=said):
        stripe.verify(b"{}", headers, ["whsec_x"], 1686089970)


def _oracle_accepts(body: bytes, header: str, secret: str) -> bool:
    try:
        return bool(stripe_sdk.WebhookSignature.verify_header(body, header, secret, tolerance=300))
    except stripe_sdk.SignatureVerificationError:
        return False


def _ours_accepts(body: bytes, header: str, secret: str) -> bool:
    try:
        stripe.verify(body, {"stripe-signature": header}, [secret], time.time())
    except InvalidSignature:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(max_size=300).map(str.encode),
    secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=40).map(
        lambda s: "whsec_" + s
    ),
    age=st.one_of(st.integers(-290, 290), st.integers(310, 10**6)),
    change=st.sampled_from(["none", "body", "secret", "signature", "second_signature"]),
)
def test_ours_accepts_exactly_what_stripes_own_verifier_accepts(body, secret, age, change):
    """stripe-python signs (generate_signature_header) and judges (verify_header, 300 s); so
    does ours, on the same bytes, whatever was changed on the way. Ages stay 10 s off the edge,
    so the two clocks read a moment apart cannot disagree."""
    header = stripe_sdk.WebhookSignature.generate_signature_header(
        body.decode(), secret, int(time.time()) - age
    )
    sent, judged_with = body, secret
    if change == "body":
        sent = body + b" "
    elif change == "secret":
        judged_with = secret + "x"
    elif change == "signature":
        header = header[:-1] + ("0" if header[-1] != "0" else "1")
    elif change == "second_signature":  # a rotation: one good v1 among others
        header += ",v1=" + "0" * 64 + ",v0=" + "f" * 64
    assert _ours_accepts(sent, header, judged_with) == _oracle_accepts(sent, header, judged_with)


@settings(max_examples=300, deadline=None)
@given(header=st.text(alphabet="tv01=,abcdef23456789 ", max_size=120))
def test_no_header_stripe_refuses_is_one_we_accept(header):
    assert not _ours_accepts(b"{}", header, "whsec_k") or _oracle_accepts(b"{}", header, "whsec_k")


def test_unlike_stripes_verifier_ours_refuses_a_timestamp_far_in_the_future():
    """The one difference, on purpose: our own webhooks refuse a timestamp 5 minutes ahead too."""
    body = b'{"id": "evt_1"}'
    header = stripe_sdk.WebhookSignature.generate_signature_header(
        body.decode(), "whsec_k", int(time.time()) + 3600
    )
    assert _oracle_accepts(body, header, "whsec_k")
    assert not _ours_accepts(body, header, "whsec_k")


def test_a_paid_checkout_session_is_an_order_of_its_payment_intent_and_its_charge_refund_finds_it():
    paid = stripe.read(parsed(raw(STRIPE_CHECKOUT["file"])), {})
    assert isinstance(paid, Paid)
    assert paid.event_id == "stripe:evt_1NG8Du2eZvKYlo2CUI79vXWy"
    order = paid.order
    assert (order.order_id, order.price) == (
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        Money(amount=Decimal("19.78"), currency="USD"),
    )
    assert (order.buyer.email, order.buyer.customer_id) == ("buyer@example.com", None)
    assert order.buyer.address == "354 Oyster Point Blvd, 94080, South San Francisco, CA, US"
    assert order.codes == ("ALICE42", "ref_ALICE42")  # metadata.referral_code, client_reference_id
    assert paid.promotion_codes == ("promo_1MtwBxLkdIwHu7ixFRIEND10",)
    refund = stripe.read(parsed(raw(STRIPE_REFUND["file"])), {})
    assert refund == Refunded("stripe:evt_1NG8Du2eZvKYlo2CUI79vXWz", order.order_id)


@pytest.mark.parametrize(
    ("currency", "minor", "amount"),
    [("jpy", 1978, "1978"), ("bhd", 1978, "1.978"), ("eur", 1978, "19.78"), ("isk", 197800, "1978")],
)
def test_stripe_amounts_are_read_in_stripes_minor_units_per_currency(currency, minor, amount):
    event = fixture("stripe_checkout_session_completed.json")
    event["data"]["object"] |= {"currency": currency, "amount_total": minor}
    paid = stripe.read(event, {})
    assert isinstance(paid, Paid)
    assert paid.order.price == Money(amount=Decimal(amount), currency=currency.upper())


def test_a_session_paid_later_counts_when_stripe_says_so_and_not_before():
    event = fixture("stripe_checkout_session_completed.json")
    event["data"]["object"]["payment_status"] = "unpaid"
    assert isinstance(stripe.read(event, {}), Ignored)
    event["type"] = "checkout.session.async_payment_succeeded"
    event["data"]["object"]["payment_status"] = "paid"
    assert isinstance(stripe.read(event, {}), Paid)


def test_an_expanded_promotion_code_gives_its_code_and_a_coupon_id_is_a_code_too():
    event = fixture("stripe_checkout_session_completed.json")
    event["data"]["object"]["discounts"] = [
        {"coupon": {"id": "SPRING-BCDF-GHJK-MNP"}, "promotion_code": None},
        {"coupon": None, "promotion_code": {"id": "promo_1", "code": "SPRING-CDFG-HJKM-NPQ"}},
    ]
    paid = stripe.read(event, {})
    assert isinstance(paid, Paid)
    assert paid.order.codes[-2:] == ("SPRING-BCDF-GHJK-MNP", "SPRING-CDFG-HJKM-NPQ")
    assert paid.promotion_codes == ()


def test_stripe_events_passaparola_does_not_use_are_ignored_with_a_reason():
    event = fixture("stripe_checkout_session_completed.json") | {"type": "customer.created"}
    assert stripe.read(event, {}) == Ignored("passaparola does not use customer.created events")


def test_a_stripe_event_without_its_object_is_refused():
    with pytest.raises(InvalidInput):
        stripe.read({"id": "evt_1", "type": "checkout.session.completed", "data": []}, {})


# --- Shopify --------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["shopify"], ids=lambda v: v["headers"]["X-Shopify-Topic"])
def test_shopifys_documented_webhooks_verify_and_during_a_rotation_under_either_secret(vector):
    body = raw(vector["file"])
    shopify.verify(body, vector["headers"], [vector["client_secret"]], 0)
    shopify.verify(body, vector["headers"], ["shpss_new_one", vector["client_secret"]], 0)
    with pytest.raises(InvalidSignature):
        shopify.verify(body + b" ", vector["headers"], [vector["client_secret"]], 0)
    with pytest.raises(InvalidSignature, match="missing"):
        shopify.verify(body, {"X-Shopify-Topic": "orders/paid"}, [vector["client_secret"]], 0)


def test_a_paid_shopify_order_and_its_refund_name_the_same_order():
    paid = shopify.read(parsed(raw(SHOPIFY_PAID["file"])), SHOPIFY_PAID["headers"])
    assert isinstance(paid, Paid)
    assert paid.event_id == "shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    order = paid.order
    assert (order.order_id, order.price) == (
        "gid://shopify/Order/450789469",
        Money(amount=Decimal("598.94"), currency="USD"),
    )
    assert (order.buyer.email, order.buyer.customer_id) == ("bob.norman@mail.example.com", "207119551")
    assert order.buyer.address == "Chestnut Street 92, 40202, Louisville, KY, US"
    assert order.codes == ("ALICE42", "TENOFF")  # the cart attribute, then the discount codes
    refund = shopify.read(parsed(raw(SHOPIFY_REFUND["file"])), SHOPIFY_REFUND["headers"])
    assert refund == Refunded("shopify:3f2b1c9e-6a1d-4e0b-9d3a-0c8e2f5a7b11", order.order_id)


def test_the_buyers_language_comes_from_shopifys_customer_locale_and_stripe_checkouts_locale():
    shop = parsed(raw(SHOPIFY_PAID["file"]))
    assert shop["customer_locale"] is None  # the documented sample says none
    paid = shopify.read(shop | {"customer_locale": "pl-PL"}, SHOPIFY_PAID["headers"])
    assert isinstance(paid, Paid) and paid.order.locale == "pl-PL"
    event = fixture("stripe_checkout_session_completed.json")
    assert event["data"]["object"]["locale"] is None
    event["data"]["object"]["locale"] = "fr"
    checkout = stripe.read(event, {})
    assert isinstance(checkout, Paid) and checkout.order.locale == "fr"


def test_a_signed_shopify_order_relabelled_as_a_refund_is_refused():
    """The topic header is outside the signature: an order's body sent as refunds/create must
    not void the order's rewards."""
    relabelled = SHOPIFY_PAID["headers"] | {"X-Shopify-Topic": "refunds/create"}
    with pytest.raises(InvalidInput, match="Refund"):
        shopify.read(parsed(raw(SHOPIFY_PAID["file"])), relabelled)
    as_order = SHOPIFY_REFUND["headers"] | {"X-Shopify-Topic": "orders/paid"}
    with pytest.raises(InvalidInput, match="Order"):
        shopify.read(parsed(raw(SHOPIFY_REFUND["file"])), as_order)


def test_shopify_webhooks_that_are_not_a_paid_order_or_a_refund_of_money_are_ignored():
    order = fixture("shopify_orders_paid.json")
    assert isinstance(
        shopify.read(order, SHOPIFY_PAID["headers"] | {"X-Shopify-Topic": "orders/create"}), Ignored
    )
    assert isinstance(shopify.read(order | {"financial_status": "pending"}, SHOPIFY_PAID["headers"]), Ignored)
    refund = fixture("shopify_refunds_create.json")
    refund["transactions"][0]["status"] = "failure"
    assert isinstance(shopify.read(refund, SHOPIFY_REFUND["headers"]), Ignored)


def test_a_shopify_webhook_without_its_delivery_id_is_refused():
    headers = {"X-Shopify-Topic": "orders/paid"}
    with pytest.raises(InvalidInput, match="X-Shopify-Webhook-Id"):
        shopify.read(fixture("shopify_orders_paid.json"), headers)


# --- WooCommerce ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", [WOO_PAID, WOO_REFUNDED, WOO_ACTION], ids=lambda v: v["file"])
def test_woocommerces_webhooks_verify_on_the_bytes_as_sent_and_not_once_reencoded(vector):
    body = raw(vector["file"])
    woocommerce.verify(body, vector["headers"], ["old_one", vector["secret"]], 0)
    reencoded = json.dumps(json.loads(body)).encode()  # Python's JSON, not PHP's: other bytes
    with pytest.raises(InvalidSignature):
        woocommerce.verify(reencoded, vector["headers"], [vector["secret"]], 0)


def test_a_woocommerce_secret_is_keyed_as_wordpress_decodes_it():
    body = b'{"id":1}'
    for stored, key in [
        ("a&amp;b", "a&b"),
        ("x&#0039;y", "x'y"),
        ("&lt;&#x26;&gt;", "<&>"),
        ("plain", "plain"),
    ]:
        signature = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
        woocommerce.verify(body, {"X-WC-Webhook-Signature": signature}, [stored], 0)


def test_woocommerces_ping_is_told_from_an_order():
    ping = raw(WOO_PING["file"])
    assert woocommerce.is_ping(WOO_PING["headers"]["Content-Type"], ping)
    assert woocommerce.is_ping("application/x-www-form-urlencoded; charset=UTF-8", ping)
    assert not woocommerce.is_ping("application/json", ping)
    assert not woocommerce.is_ping("application/x-www-form-urlencoded", b"webhook_id=1&x=2")


def test_a_woocommerce_snapshot_paid_then_refunded_is_an_order_then_its_refund():
    paid = woocommerce.read(parsed(raw(WOO_PAID["file"])), WOO_PAID["headers"])
    assert isinstance(paid, Paid)
    assert paid.event_id == "woocommerce:727:paid"  # the order and what happened: not the delivery id
    order = paid.order
    assert (order.order_id, order.price) == (
        "woocommerce:727",
        Money(amount=Decimal("28.35"), currency="USD"),
    )
    assert (order.buyer.email, order.buyer.customer_id) == ("john.doe@example.com", None)  # a guest
    assert order.codes == ("ALICE42", "alice42")  # order meta, then the coupon lines
    refunded = Refunded("woocommerce:727:refund", "woocommerce:727")
    assert woocommerce.read(parsed(raw(WOO_REFUNDED["file"])), WOO_REFUNDED["headers"]) == refunded
    assert woocommerce.read(parsed(raw(WOO_ACTION["file"])), WOO_ACTION["headers"]) == refunded


def test_a_partly_refunded_woocommerce_order_still_processing_is_a_refund():
    order = fixture("woocommerce_order_updated_processing.json")
    order["refunds"] = [{"id": 728, "reason": "", "total": "-5.00"}]
    assert isinstance(woocommerce.read(order, {}), Refunded)


@pytest.mark.parametrize(
    "change",
    [
        {"status": "on-hold"},
        {"status": "pending", "date_paid": None},
        {"date_paid": None, "date_paid_gmt": None},
    ],
)
def test_a_woocommerce_order_not_yet_paid_is_ignored(change):
    assert isinstance(
        woocommerce.read(fixture("woocommerce_order_updated_processing.json") | change, {}), Ignored
    )


def test_woocommerce_webhooks_of_other_resources_are_ignored():
    assert isinstance(woocommerce.read({"id": 93, "name": "Woo Single #1", "status": "publish"}, {}), Ignored)
    assert isinstance(woocommerce.read({"action": "woocommerce_new_order", "arg": 727}, {}), Ignored)


# --- what `passaparola store` sends ---------------------------------------------------------


SAMPLE = shop_samples.Order(
    "1001", "marco@example.com", Decimal("49.90"), "EUR", "SPRING-7KQMX2R9P", "SPRING-BCDF-GHJK-MNP", "pl-PL"
)
ADAPTERS = {"stripe": stripe, "shopify": shopify, "woocommerce": woocommerce}


@pytest.mark.parametrize(
    ("platform", "event", "order_id"),
    [
        ("stripe", "checkout-completed", "pi_local_1"),
        ("shopify", "orders-paid", "1001"),
        ("woocommerce", "order-paid", "1001"),
    ],
)
def test_the_local_shops_paid_orders_verify_and_read_as_the_platforms_own(platform, event, order_id):
    now = int(time.time())
    sent = shop_samples.delivery(platform, event, replace(SAMPLE, order_id=order_id), "the_secret", now)
    ADAPTERS[platform].verify(sent.body, sent.headers, ["the_secret"], now)
    paid = ADAPTERS[platform].read(parsed(sent.body), sent.headers)
    assert isinstance(paid, Paid)
    assert (paid.order.buyer.email, paid.order.price) == (
        "marco@example.com",
        Money(amount=Decimal("49.90"), currency="EUR"),
    )
    assert paid.order.codes[0] == "SPRING-7KQMX2R9P"
    assert paid.order.locale == (None if platform == "woocommerce" else "pl-PL")  # Woo sends none
    if platform == "stripe":  # typed at Stripe's checkout: a promotion code, read from Stripe's API
        (promotion,) = paid.promotion_codes
        assert shop_samples.promotion_code(promotion, f"Bearer {shop_samples.STRIPE_API_KEY}") == (
            200,
            {"id": promotion, "object": "promotion_code", "active": True, "code": "SPRING-BCDF-GHJK-MNP"},
        )
    else:
        assert paid.order.codes[-1].upper() == "SPRING-BCDF-GHJK-MNP"


@pytest.mark.parametrize(
    ("platform", "event", "order_id", "refunded"),
    [
        ("stripe", "charge-refunded", "pi_local_1", "pi_local_1"),
        ("shopify", "refunds-create", "1001", "gid://shopify/Order/1001"),
        ("woocommerce", "order-refunded", "1001", "woocommerce:1001"),
    ],
)
def test_the_local_shops_refunds_name_the_order_its_paid_sample_named(platform, event, order_id, refunded):
    now = int(time.time())
    sent = shop_samples.delivery(platform, event, replace(SAMPLE, order_id=order_id), "the_secret", now)
    ADAPTERS[platform].verify(sent.body, sent.headers, ["the_secret"], now)
    found = ADAPTERS[platform].read(parsed(sent.body), sent.headers)
    assert isinstance(found, Refunded) and found.order_id == refunded


def test_the_stand_in_of_stripes_api_wants_the_key_and_knows_only_its_own_promotion_codes():
    key = f"Bearer {shop_samples.STRIPE_API_KEY}"
    assert shop_samples.promotion_code(shop_samples.promotion_id("X"), "Bearer rk_wrong")[0] == 401
    assert shop_samples.promotion_code("promo_1MtwBxLkdIwHu7ixFRIEND10", key)[0] == 404
