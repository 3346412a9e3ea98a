from datetime import UTC, datetime, timedelta

import pytest

from tests.support import items_under

pytestmark = pytest.mark.integration


@pytest.fixture
def referral(client):
    """Anna refers Marco in the gift campaign (min 20 EUR, hold 14 days, cap 3, tier after 2)."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "marco@example.com").status == 201
    return code


def referrer_rewards(client, code):
    return items_under(client.stack, f"CODE#{code}", "REWARD#")


def test_a_paid_order_is_attributed_by_the_claim_and_its_reward_held(client, referral, clock):
    answer = client.convert("1001", "Marco@Example.com", "49.90")
    assert answer.status == 202
    assert answer.body["status"] == "queued"
    assert answer.body["rewards"] == 1
    assert answer.body["conversion_id"].startswith("cv_")
    client.run_worker()
    (reward,) = referrer_rewards(client, referral)
    assert reward["status"] == "held"
    assert reward["value"] == 10
    assert reward["currency"] == "EUR"
    assert reward["order_id"] == "1001"
    held_until = datetime.fromisoformat(reward["hold_until"])
    assert abs(held_until - (clock.now + timedelta(days=14))) < timedelta(seconds=5)


def test_the_same_order_again_is_a_duplicate_with_the_same_id(client, referral):
    first = client.convert("1001", "marco@example.com")
    again = client.convert("1001", "marco@example.com", "999")
    assert again.body == {
        "conversion_id": first.body["conversion_id"],
        "status": "duplicate",
        "reason": None,
        "rewards": 0,
    }
    assert len(items_under(client.stack, "ORDER#")) == 1
    assert len(referrer_rewards(client, referral)) == 1


def test_an_explicit_code_attributes_without_a_claim(client, referral):
    answer = client.convert("2002", "giulia@example.com", code=referral.lower())
    assert answer.body["status"] == "queued"
    (order,) = [o for o in items_under(client.stack, "ORDER#") if o["order_id"] == "2002"]
    assert (order["code"], order["via"]) == (referral, "code")


def test_an_unknown_explicit_code_falls_back_to_the_claim(client, referral):
    answer = client.convert("1001", "marco@example.com", code="GIFT-BCDFGHJKM")
    assert answer.body["status"] == "queued"
    (order,) = items_under(client.stack, "ORDER#")
    assert (order["code"], order["via"]) == (referral, "claim")


@pytest.mark.parametrize(
    ("email", "amount", "currency", "reason"),
    [
        ("stranger@example.com", "49.90", "EUR", "unattributed"),
        ("marco@example.com", "19.99", "EUR", "below_minimum"),
        ("marco@example.com", "49.90", "USD", "currency_mismatch"),
    ],
)
def test_orders_that_earn_nothing_say_which_rule(client, referral, email, amount, currency, reason):
    answer = client.signed(
        "/conversions", {"order_id": "9", "email": email, "amount": amount, "currency": currency}
    )
    assert answer.status == 202
    assert (answer.body["status"], answer.body["reason"], answer.body["rewards"]) == ("rejected", reason, 0)
    assert referrer_rewards(client, referral) == []
    assert client.convert("9", email).body["status"] == "duplicate"


def test_a_referrer_buying_through_their_own_code_is_refused(client, referral):
    # A +tag reaches the same mailbox on any domain; dots only where the provider ignores them.
    answer = client.convert("3003", "anna+shop@example.com", code=referral)
    assert (answer.body["status"], answer.body["reason"]) == ("rejected", "self_referral")
    answer = client.convert("3005", "an.na@example.com", code=referral)
    assert (answer.body["status"], answer.body["reason"]) == ("queued", None)
    gmail = client.enrol("bea.verdi@gmail.com", campaign="gift").body["code"]
    answer = client.convert("3004", "BeaVerdi+x@gmail.com", code=gmail)
    assert (answer.body["status"], answer.body["reason"]) == ("rejected", "self_referral")


def test_only_the_first_order_earns_the_reward(client, referral):
    assert client.convert("1001", "marco@example.com").body["status"] == "queued"
    second = client.convert("1002", "marco@example.com")
    assert (second.body["status"], second.body["reason"]) == ("rejected", "repeat_customer")
    assert len(referrer_rewards(client, referral)) == 1


def test_a_claim_older_than_the_attribution_window_earns_nothing(client, referral, clock):
    clock.advance(days=31)
    answer = client.convert("1001", "marco@example.com")
    assert (answer.body["status"], answer.body["reason"]) == ("rejected", "attribution_expired")


def test_a_refund_that_arrives_first_blocks_the_later_conversion(client, referral):
    assert client.signed("/refunds", {"order_id": "1001"}).body["status"] == "noted"
    answer = client.convert("1001", "marco@example.com")
    assert (answer.body["status"], answer.body["reason"]) == ("rejected", "refunded")
    assert referrer_rewards(client, referral) == []


def test_amounts_are_kept_exact(client):
    code = client.enrol("anna@example.com", campaign="share").body["code"]
    client.claim(code, "marco@example.com")
    client.convert("1", "marco@example.com", 33.33)  # a JSON number, not a string
    client.run_worker()
    (reward,) = referrer_rewards(client, code)
    assert str(reward["value"]) == "4.99"  # 15% of 33.33 = 4.9995, rounded down
    (order,) = items_under(client.stack, "ORDER#")
    assert str(order["amount"]) == "33.33"


def test_a_revenue_share_pays_on_every_order_for_its_months(client, clock):
    code = client.enrol("anna@example.com", campaign="share").body["code"]
    client.claim(code, "marco@example.com")
    for order, amount in (("1", "100"), ("2", "40")):
        assert client.convert(order, "marco@example.com", amount).body["status"] == "queued"
    clock.advance(days=30 * 12 + 1)
    late = client.convert("3", "marco@example.com", "100")
    assert (late.body["status"], late.body["reason"]) == ("rejected", "repeat_customer")
    client.run_worker()
    assert sorted(str(r["value"]) for r in referrer_rewards(client, code)) == ["15.00", "6.00"]
    client.run_rollup()
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    # One first order, which took the cap slot; revenue counts both orders that stand.
    assert (item["orders"], item["qualified"], item["revenue_EUR"]) == (1, 1, 140)


def test_a_second_level_referrer_is_rewarded_too(client):
    anna = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(anna, "marco@example.com")
    marco = client.enrol("marco@example.com", campaign="gift").body["code"]
    client.claim(marco, "giulia@example.com")
    assert client.convert("77", "giulia@example.com").body["rewards"] == 2
    (second,) = referrer_rewards(client, anna)
    assert (second["role"], second["value"], second["order_id"]) == ("second_level", 2, "77")
    (first,) = referrer_rewards(client, marco)
    assert first["role"] == "referrer"


def test_conversion_timestamps_are_utc(client, referral):
    client.convert("1001", "marco@example.com")
    (order,) = items_under(client.stack, "ORDER#")
    assert datetime.fromisoformat(order["created_at"]).tzinfo == UTC


def test_the_friends_coupon_as_the_code_attributes_an_order_with_another_address(client, referral):
    coupon = client.claim(referral, "marco@example.com").body  # claimed before: no coupon shown
    assert coupon["friend_reward"]["coupon_code"] is None
    (issued,) = items_under(client.stack, "COUPON#")
    coupon_code = issued["pk"].removeprefix("COUPON#")
    answer = client.convert("3003", "marco.at.work@example.org", code=coupon_code.lower())
    assert (answer.status, answer.body["status"], answer.body["rewards"]) == (202, "queued", 1)
    (order,) = [o for o in items_under(client.stack, "ORDER#") if o["order_id"] == "3003"]
    assert (order["code"], order["via"]) == (referral, "coupon")
    again = client.convert("3004", "marco@example.com")  # Marco, with the address he claimed with
    assert (again.body["status"], again.body["reason"]) == ("rejected", "repeat_customer")
