"""The friend's coupon created in the shop, on fakes: its terms, the code fixed before the call,
the truth told while the shop is down, and one coupon however often it is retried."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from passaparola.domain.shop import CouponTerms, ShopUnavailable
from tests.unit.services.conftest import World, make_world

pytestmark = pytest.mark.unit


@dataclass
class Shop:
    """A shop that keeps its coupons by idempotency key, and fails the next `down` calls."""

    down: int = 0
    coupons: dict[str, CouponTerms] = field(default_factory=dict)
    calls: int = 0

    def create(self, terms: CouponTerms) -> None:
        self.calls += 1
        if self.down:
            self.down -= 1
            raise ShopUnavailable("the shop answered 500")
        assert self.coupons.setdefault(terms.key, terms) == terms  # a retry asks for the same coupon


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
def shop_world(shop: Shop) -> World:
    return make_world(shop)


def test_the_friends_coupon_is_created_in_the_shop_with_the_campaigns_terms_before_it_is_shown(
    shop_world, shop
):
    code = shop_world.enrol("anna@example.com")
    claimed = shop_world.claim(code, "marco@example.com")
    gift = claimed.friend_reward
    assert gift is not None and gift.status == "issued" and gift.coupon_code
    (terms,) = shop.coupons.values()
    claim = next(iter(shop_world.memory.claims.values()))
    assert terms == CouponTerms(
        code=gift.coupon_code,
        key=claimed.claim_id,
        campaign="gift",
        reward_id="friend-gift",
        percent=terms.percent,
        amount=None,
        currency=None,
        min_subtotal=terms.min_subtotal,
        min_currency="EUR",
        starts_at=claim.claimed_at,
        expires_at=claim.claimed_at + timedelta(days=30),
        email="marco@example.com",
    )
    assert (terms.percent, terms.min_subtotal) == (10, 20)


def test_a_fixed_amount_coupon_carries_its_amount_in_the_shops_currency(shop_world, shop):
    code = shop_world.enrol("anna@example.com", campaign="instant")
    shop_world.claim(code, "marco@example.com")
    (terms,) = shop.coupons.values()
    assert (terms.amount, terms.currency, terms.percent, terms.min_subtotal) == (12, "EUR", None, None)


def test_while_the_shop_is_down_the_friend_is_told_it_is_coming_and_emailed_once_it_is_live(shop_world, shop):
    shop.down = 3  # the claim's own try, then two of the worker's
    code = shop_world.enrol("anna@example.com")
    claimed = shop_world.claim(code, "marco@example.com")
    gift = claimed.friend_reward
    assert gift is not None and (gift.status, gift.coupon_code) == ("held", None)
    assert shop_world.mailer.to("marco@example.com") == []
    ((ref, reward),) = shop_world.memory.rewards.items()
    reserved = reward.coupon_code
    assert shop_world.queue.take()  # the claim queued it for the worker
    for _ in range(2):  # the queue's redeliveries
        with pytest.raises(ShopUnavailable):
            shop_world.lifecycle.advance(ref)
    assert shop.coupons == {}
    shop_world.lifecycle.advance(ref)
    (terms,) = shop.coupons.values()
    assert terms.code == reserved  # fixed before the first call: every retry asked for it
    (email,) = shop_world.mailer.to("marco@example.com")
    assert reserved in email.text
    assert shop.calls == 4


def test_a_reward_already_issued_is_not_created_again(shop_world, shop):
    code = shop_world.enrol("anna@example.com")
    shop_world.claim(code, "marco@example.com")
    shop_world.work()
    shop_world.sweep()
    assert (len(shop.coupons), shop.calls) == (1, 1)


def test_without_a_shop_the_coupon_is_a_code_for_the_business_to_create_by_hand(world):
    code = world.enrol("anna@example.com")
    gift = world.claim(code, "marco@example.com").friend_reward
    assert gift is not None and gift.status == "issued" and gift.coupon_code
