"""The friend's coupon as Stripe is asked for it (a coupon per campaign and terms, a promotion
code per friend), and the local stand-in of Stripe's API holding it to Stripe's documented
rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

import pytest

from passaparola.domain.platforms import stripe
from passaparola_localstack import shop_samples
from passaparola_localstack.stripe_fake import StripeFake
from tests import shops

pytestmark = pytest.mark.unit

LATER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
AUTH = {"Authorization": f"Bearer {shop_samples.STRIPE_API_KEY}", "Stripe-Version": stripe.API_VERSION}


terms = partial(shops.coupon_terms, LATER)


def test_a_percent_coupon_is_one_stripe_coupon_per_campaign_and_terms_used_once_per_order():
    assert stripe.coupon_form(terms()) == {
        "id": "passaparola-friend-spring-10pct",
        "duration": "once",
        "name": "Referral: spring",
        "percent_off": "10",
        "metadata[campaign]": "spring",
    }


def test_a_fixed_coupon_is_in_the_currencys_minor_units_as_stripe_counts_them():
    form = stripe.coupon_form(terms(percent=None, amount=Decimal(500), currency="JPY"))
    assert (form["amount_off"], form["currency"], form["id"]) == (
        "500",
        "jpy",
        "passaparola-friend-spring-500jpy",
    )
    assert (
        stripe.coupon_form(terms(percent=None, amount=Decimal("12.50"), currency="EUR"))["amount_off"]
        == "1250"
    )


def test_the_friends_promotion_code_is_one_use_first_purchase_until_the_window_closes_over_the_minimum():
    assert stripe.promotion_code_form(terms()) == {
        "coupon": "passaparola-friend-spring-10pct",
        "code": "SPRING-5HK9-NP86-RZ9",
        "max_redemptions": "1",
        "expires_at": str(int(LATER.timestamp())),
        "restrictions[first_time_transaction]": "true",
        "restrictions[minimum_amount]": "2000",
        "restrictions[minimum_amount_currency]": "eur",
        "metadata[reward_id]": "friend-spring",
        "metadata[claim_id]": "cl_claim",
        "metadata[campaign]": "spring",
    }
    assert "restrictions[minimum_amount]" not in stripe.promotion_code_form(terms(min_subtotal=None))


def post(fake: StripeFake, path: str, form: dict[str, str], **headers: str) -> tuple[int, dict]:
    return fake.handle("POST", path, "", AUTH | headers, urlencode(form).encode())


def test_the_local_stripe_holds_the_coupon_once_and_lists_it_in_major_units():
    fake = StripeFake()
    assert post(fake, "/v1/coupons", stripe.coupon_form(terms()))[0] == 200
    again = post(fake, "/v1/coupons", stripe.coupon_form(terms()))
    assert (again[0], again[1]["error"]["code"]) == (400, "resource_already_exists")
    first = post(
        fake, "/v1/promotion_codes", stripe.promotion_code_form(terms()), **{"Idempotency-Key": "cl_1"}
    )
    replay = post(
        fake, "/v1/promotion_codes", stripe.promotion_code_form(terms()), **{"Idempotency-Key": "cl_1"}
    )
    assert first == replay and first[0] == 200
    other = post(fake, "/v1/promotion_codes", {"coupon": "x"}, **{"Idempotency-Key": "cl_1"})
    assert other[1]["error"]["type"] == "idempotency_error"
    taken = post(fake, "/v1/promotion_codes", stripe.promotion_code_form(terms()))
    assert taken[1]["error"]["code"] == "resource_already_exists"
    promotion = next(o for o in fake.objects() if o["kind"] == "promotion_code")
    assert promotion == {
        "platform": "stripe", "kind": "promotion_code", "code": "SPRING-5HK9-NP86-RZ9", "percent": "10",
        "usage_limit": 1, "active": True, "used": False, "reward_id": "friend-spring",
        "expires_at": LATER.isoformat(), "min_subtotal": "20.00",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "form", "status", "says"),
    [
        ({"Authorization": "Bearer rk_test_wrong"}, {}, 401, "Invalid API Key"),
        ({"Stripe-Version": "latest"}, {}, 400, "Invalid Stripe API version"),
        ({"Stripe-Version": "2025-09-30.clover"}, {"coupon": "c"}, 400, "unknown parameter: coupon"),
        ({}, {"coupon": "nope", "code": "A-1"}, 400, "No such coupon"),
        ({}, {"coupon": "c", "code": "NO SPACES"}, 400, "Invalid code"),
        ({}, {"coupon": "c", "code": "A-1", "max_redemptions": "one"}, 400, "Invalid integer"),
        ({}, {"coupon": "c", "code": "A-1", "expires_at": "1000"}, 400, "in the future"),
        (
            {},
            {"coupon": "c", "code": "A-1", "restrictions[minimum_amount]": "100"},
            400,
            "minimum_amount_currency",
        ),
    ],
)
def test_the_local_stripe_refuses_what_stripe_refuses(headers, form, status, says):
    fake = StripeFake()
    post(fake, "/v1/coupons", {"id": "c", "duration": "once", "percent_off": "10"})
    answer = post(fake, "/v1/promotion_codes", form, **headers)
    assert answer[0] == status and says in answer[1]["error"]["message"]


def test_the_local_stripe_fails_on_demand_before_changing_anything():
    fake = StripeFake()
    fake.fail(2)
    for _ in range(2):
        answer = post(fake, "/v1/coupons", stripe.coupon_form(terms()))
        assert (answer[0], answer[1]["error"]["type"]) == (500, "api_error")
    assert fake.objects() == []
    assert post(fake, "/v1/coupons", stripe.coupon_form(terms()))[0] == 200
