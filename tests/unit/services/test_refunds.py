"""Refunds on fakes: void what is not issued, claw back what is, and lose no race to the worker;
in the shop, an unused code deactivated once (the queue retrying while the shop is down), a used
one left as it is."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from passaparola.domain.records import Owner, RewardRef
from passaparola.domain.shop import CouponTerms, ShopUnavailable
from passaparola.domain.vocabulary import Revoked
from passaparola.services.refunds import Refunded
from tests.unit.services.conftest import World, make_world

pytestmark = pytest.mark.unit


def referred_order(world: World, campaign: str) -> tuple[str, RewardRef]:
    code = world.enrol("anna@example.com", campaign=campaign)
    world.claim(code, "marco@example.com")
    world.convert("5", "marco@example.com")
    return code, RewardRef(Owner.referrer(code), "order-5")


def test_a_refund_voids_a_held_reward_and_frees_its_cap_slot(world):
    code, ref = referred_order(world, "gift")
    world.work()
    assert world.refunds.refund("5") == Refunded("5", "refunded", {"order-5": "void"})
    reward = world.ledger.get(ref)
    assert (reward.status, reward.void_reason) == ("void", "refunded")
    assert ref not in world.memory.due
    assert world.memory.referrers[code].qualified == 0


def test_a_refund_after_issuing_claws_back(world):
    _, ref = referred_order(world, "instant")
    world.work()
    assert world.refunds.refund("5").rewards == {"order-5": "clawed_back"}
    assert world.ledger.get(ref).status == "clawed_back"


def test_a_refund_that_loses_a_race_with_the_worker_claws_back(world):
    """Between the refund's read and its write, the worker issues the reward."""
    code, ref = referred_order(world, "instant")
    world.memory.before("ledger.void", world.work)
    assert world.refunds.refund("5").rewards == {"order-5": "clawed_back"}
    assert world.ledger.get(ref).status == "clawed_back"
    assert world.memory.referrers[code].rewarded == 1  # issued once, then clawed back


def test_a_refund_delivered_twice_changes_nothing_more(world):
    code, _ = referred_order(world, "gift")
    first = world.refunds.refund("5")
    assert world.refunds.refund("5") == first
    assert world.memory.referrers[code].qualified == 0


def test_a_refund_of_an_order_never_reported_is_noted(world):
    assert world.refunds.refund("404") == Refunded("404", "noted")
    assert world.memory.orders["404"].status == "refunded"


@dataclass
class Shop:
    """A shop holding codes (used or not), failing the next `down` calls."""

    used: set[str] = field(default_factory=set)
    down: int = 0
    created: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    def create(self, terms: CouponTerms) -> None:
        self.created.append(terms.code)

    def deactivate(self, code: str) -> Revoked:
        if self.down:
            self.down -= 1
            raise ShopUnavailable("the shop answered 503")
        if code in self.used:
            return "used"
        if code not in self.created and not code.startswith("SWAP"):
            return "absent"
        self.deactivated.append(code)
        return "deactivated"


def swapped(world: World) -> tuple[str, RewardRef]:
    """A referral whose referrer was issued a coupon at once (the swap campaign), refunded."""
    code = world.enrol("anna@example.com", campaign="swap")
    world.claim(code, "marco@example.com")
    world.convert("9", "marco@example.com")
    world.work()
    ref = RewardRef(Owner.referrer(code), "order-9")
    assert world.ledger.get(ref).status == "issued"
    return code, ref


def test_a_refund_deactivates_the_referrers_unused_code_in_the_shop_once():
    shop = Shop()
    world = make_world(shop)
    _, ref = swapped(world)
    coupon = world.ledger.get(ref).coupon_code
    assert world.refunds.refund("9").rewards == {"order-9": "clawed_back"}
    assert world.ledger.get(ref).revocation == "pending"
    world.work()
    assert shop.deactivated == [coupon]
    assert world.ledger.get(ref).revocation == "deactivated"
    world.refunds.refund("9")  # the shop's refund webhook delivered again
    world.pass_time(minutes=5)
    world.sweep()
    assert shop.deactivated == [coupon]
    assert ref not in world.memory.due


def test_the_shop_down_then_up_deactivates_the_code_once_through_the_queues_retries():
    shop = Shop(down=2)
    world = make_world(shop)
    _, ref = swapped(world)
    world.refunds.refund("9")
    with pytest.raises(ShopUnavailable):
        world.work()  # the message fails: SQS gives it back after its visibility timeout
    assert world.ledger.get(ref).revocation == "pending"
    world.pass_time(minutes=3)
    with pytest.raises(ShopUnavailable):
        world.sweep()  # still down: the reward stays due
    world.pass_time(minutes=3)
    world.sweep()
    assert shop.deactivated == [world.ledger.get(ref).coupon_code]
    assert (world.ledger.get(ref).status, world.ledger.get(ref).revocation) == ("clawed_back", "deactivated")
    world.pass_time(minutes=3)
    assert world.sweep() == 0


def test_a_code_used_before_the_refund_is_clawed_back_and_not_deactivated():
    shop = Shop()
    world = make_world(shop)
    _, ref = swapped(world)
    shop.used.add(world.ledger.get(ref).coupon_code)
    world.refunds.refund("9")
    world.work()
    reward = world.ledger.get(ref)
    assert (reward.status, reward.revocation, shop.deactivated) == ("clawed_back", "used", [])


def test_a_reward_with_no_code_or_no_shop_is_clawed_back_as_before(world):
    _, ref = swapped(world)  # no shop: codes and records only
    world.refunds.refund("9")
    assert world.queue.take() == []
    assert (world.ledger.get(ref).status, world.ledger.get(ref).revocation) == ("clawed_back", None)
    shop = Shop()
    with_shop = make_world(shop)
    _, credit = referred_order(with_shop, "instant")  # a free month: no code to deactivate
    with_shop.work()
    with_shop.refunds.refund("5")
    with_shop.work()
    assert (with_shop.ledger.get(credit).revocation, shop.deactivated) == (None, [])
