"""Refunds on fakes: void what is not issued, claw back what is, and lose no race to the worker."""

from __future__ import annotations

import pytest

from passaparola.domain.records import Owner, RewardRef
from passaparola.services.refunds import Refunded
from tests.unit.services.conftest import World

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
