"""The friend's coupon as WooCommerce's REST API v3 is asked for it, and the local stand-in
holding it to WooCommerce's documented rules."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import pytest

from passaparola.domain.platforms import woocommerce
from passaparola_localstack.woocommerce_fake import KEY, WooCommerceFake
from tests import shops

pytestmark = pytest.mark.unit

LATER = datetime(2031, 4, 30, 9, 15, tzinfo=UTC)
AUTH = {
    "Authorization": "Basic " + base64.b64encode(KEY.encode()).decode(),
    "Content-Type": "application/json",
}


terms = partial(shops.coupon_terms, LATER)


def test_the_friends_coupon_is_one_use_once_per_customer_for_their_email_until_the_window_closes():
    assert woocommerce.coupon_body(terms()) == {
        "code": "SPRING-5HK9-NP86-RZ9",
        "discount_type": "percent",
        "amount": "10",
        "individual_use": True,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "email_restrictions": ["marco@example.org"],
        "date_expires_gmt": "2031-04-30T09:15:00",
        "description": "Referral: spring",
        "meta_data": [
            {"key": "passaparola_reward_id", "value": "friend-spring"},
            {"key": "passaparola_claim_id", "value": "cl_claim"},
        ],
        "minimum_amount": "20.00",
    }


def test_a_fixed_coupon_is_a_fixed_cart_discount_in_the_shops_currency():
    body = woocommerce.coupon_body(
        terms(percent=None, amount=Decimal("12.50"), currency="EUR", min_subtotal=None)
    )
    assert (body["discount_type"], body["amount"], "minimum_amount" in body) == ("fixed_cart", "12.50", False)


def post(fake: WooCommerceFake, body: object, **headers: str) -> tuple[int, object]:
    return fake.handle("POST", woocommerce.COUPONS_PATH, "", AUTH | headers, json.dumps(body).encode())


def test_the_local_woocommerce_keeps_the_code_in_lower_case_once_and_lists_it():
    fake = WooCommerceFake()
    status, created = post(fake, woocommerce.coupon_body(terms()))
    assert status == 201 and created["code"] == "spring-5hk9-np86-rz9"
    status, taken = post(fake, woocommerce.coupon_body(terms()))
    assert (status, taken["code"]) == (400, woocommerce.CODE_TAKEN)
    status, listed = fake.handle("GET", woocommerce.COUPONS_PATH, "code=SPRING-5HK9-NP86-RZ9", AUTH, b"")
    assert status == 200 and woocommerce.ours(listed, terms())
    assert not woocommerce.ours(listed, terms(key="cl_another_friends"))
    assert fake.objects() == [
        {
            "platform": "woocommerce", "kind": "coupon", "code": "spring-5hk9-np86-rz9", "percent": "10",
            "min_subtotal": "20.00", "usage_limit": 1, "expires_at": "2031-04-30T09:15:00+00:00",
            "active": True, "used": False, "reward_id": "friend-spring", "email": "marco@example.org",
        }
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"code": ""}, 400, "rest_missing_callback_param"),
        ({"discount_type": "percentage"}, 400, "rest_invalid_param"),
        ({"amount": 10}, 400, "rest_invalid_param"),
        ({"usage_limit": "1"}, 400, "rest_invalid_param"),
        ({"email_restrictions": "marco@example.org"}, 400, "rest_invalid_param"),
        ({"date_expires_gmt": "2031-04-30"}, 400, "rest_invalid_param"),
        ({"individual_use": "yes"}, 400, "rest_invalid_param"),
    ],
)
def test_the_local_woocommerce_refuses_what_woocommerce_refuses(change, status, says):
    answer = post(WooCommerceFake(), woocommerce.coupon_body(terms()) | change)
    assert (answer[0], answer[1]["code"]) == (status, says)


def test_the_local_woocommerce_checks_the_key_and_the_api_version_and_fails_on_demand():
    fake = WooCommerceFake()
    body = json.dumps(woocommerce.coupon_body(terms())).encode()
    assert (
        fake.handle("POST", woocommerce.COUPONS_PATH, "", AUTH | {"Authorization": "Basic eDp5"}, body)[0]
        == 401
    )
    assert fake.handle("POST", "/wp-json/wc/v2/coupons", "", AUTH, body)[1]["code"] == "rest_no_route"
    fake.fail(1)
    assert fake.handle("POST", woocommerce.COUPONS_PATH, "", AUTH, body)[0] == 500
    assert fake.objects() == []
    assert fake.handle("POST", woocommerce.COUPONS_PATH, "", AUTH, body)[0] == 201
