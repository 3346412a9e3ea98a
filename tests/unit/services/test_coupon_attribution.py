"""The friend's coupon reported at checkout attributes the order, as the referral code would."""

from __future__ import annotations

import pytest

from passaparola.domain.records import Owner, RewardRef
from tests.fakes import person_key
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit


@pytest.fixture
def coupon(world: World) -> tuple[str, str]:
    """Anna refers Marco in the gift campaign; Marco's coupon, and Anna's code."""
    code = world.enrol("anna@example.com")
    claimed = world.claim(code, "marco@example.com")
    world.queue.take()
    assert claimed.friend_reward is not None and claimed.friend_reward.coupon_code is not None
    return claimed.friend_reward.coupon_code, code


def test_an_order_with_the_friends_coupon_and_another_address_is_the_referrers(world, coupon):
    marco_coupon, anna = coupon
    converted = world.convert("1001", "marco.work@example.org", code=marco_coupon.lower())
    assert (converted.status, converted.reason, converted.rewards) == ("queued", None, 1)
    order = world.memory.orders["1001"]
    assert (order.code, order.via) == (anna, "coupon")
    assert world.rewards_of(anna)["order-1001"].status == "pending"
    # The first order counted is Marco's, under the address he claimed with.
    assert world.memory.first_orders[(person_key("marco@example.com"), "gift")].order_id == "1001"


def test_the_friend_buying_again_with_the_claimed_address_is_a_repeat(world, coupon):
    """One referral, one reward: Marco's coupon order with a second address, then an order
    with the address he claimed with, count once."""
    marco_coupon, anna = coupon
    world.convert("1001", "marco.work@example.org", code=marco_coupon)
    again = world.convert("1002", "marco@example.com")
    assert (again.status, again.reason) == ("rejected", "repeat_customer")
    assert list(world.rewards_of(anna)) == ["order-1001"]


def test_a_buyer_whose_own_referred_order_was_counted_cannot_count_again_with_a_friends_coupon(world, coupon):
    marco_coupon, _ = coupon
    bea_code = world.enrol("bea@example.com")
    world.claim(bea_code, "carl@example.com")
    world.queue.take()
    assert world.convert("2001", "carl@example.com").status == "queued"
    reused = world.convert("2002", "carl@example.com", code=marco_coupon)
    assert (reused.status, reused.reason) == ("rejected", "repeat_customer")


def test_a_referral_code_on_the_order_wins_over_a_coupon_listed_before_it(world, coupon):
    marco_coupon, _ = coupon
    bea = world.enrol("bea@example.com")
    converted = world.convert("1001", "dora@example.com", code=[marco_coupon, bea])
    assert converted.status == "queued"
    assert (world.memory.orders["1001"].code, world.memory.orders["1001"].via) == (bea, "code")


def test_the_first_friends_coupon_listed_wins_and_the_shops_own_codes_are_passed_over(world, coupon):
    marco_coupon, anna = coupon
    bea = world.enrol("bea@example.com")
    dora_coupon = world.claim(bea, "dora@example.com").friend_reward.coupon_code  # type: ignore[union-attr]
    world.queue.take()
    converted = world.convert("1001", "erin@example.com", code=["SUMMER10", marco_coupon, dora_coupon])
    assert converted.status == "queued"
    assert world.memory.orders["1001"].code == anna


def test_the_referrer_using_their_friends_coupon_is_a_self_referral(world, coupon):
    marco_coupon, anna = coupon
    converted = world.convert("1001", "Anna@Example.com", code=marco_coupon)
    assert (converted.status, converted.reason) == ("rejected", "self_referral")
    assert world.rewards_of(anna) == {}


def test_a_buyer_known_before_the_friend_claimed_is_an_existing_customer(world):
    world.convert("1", "dora@example.com")  # an unreferred order: Dora is a customer
    world.pass_time(days=1)
    anna = world.enrol("anna@example.com")
    marco_coupon = world.claim(anna, "marco@example.com").friend_reward.coupon_code  # type: ignore[union-attr]
    converted = world.convert("1001", "dora@example.com", code=marco_coupon)
    assert (converted.status, converted.reason) == ("rejected", "existing_customer")


def test_a_friends_coupon_used_long_after_the_claim_still_counts_as_a_code_would(world, coupon):
    marco_coupon, _ = coupon
    world.pass_time(days=400)
    assert world.convert("1001", "marco.work@example.org", code=marco_coupon).status == "queued"


def test_a_coupon_that_is_a_referrers_own_reward_attributes_nothing(world, coupon):
    _, anna = coupon
    world.memory.coupons["GIFT-BCDF-GHJK-MNP"] = RewardRef(Owner.referrer(anna), "tier-2")
    converted = world.convert("1001", "dora@example.com", code="GIFT-BCDF-GHJK-MNP")
    assert (converted.status, converted.reason) == ("rejected", "unattributed")


def test_an_unknown_coupon_falls_through_to_the_buyers_claim(world, coupon):
    _, anna = coupon
    converted = world.convert("1001", "marco@example.com", code="GIFT-BCDF-GHJK-MNP")
    assert converted.status == "queued"
    assert (world.memory.orders["1001"].code, world.memory.orders["1001"].via) == (anna, "claim")


def test_a_coupon_order_below_the_minimum_earns_nothing_and_a_later_one_still_counts(world, coupon):
    marco_coupon, _ = coupon
    converted = world.convert("1001", "marco.work@example.org", amount="5.00", code=marco_coupon)
    assert (converted.status, converted.reason) == ("rejected", "below_minimum")
    assert world.convert("1002", "marco.work@example.org", code=marco_coupon).status == "queued"
