"""Reviews on fakes: the first decision stands, and it is carried out once, whatever else
happened to the rewards meanwhile."""

from __future__ import annotations

import pytest

from passaparola.domain.errors import NotFound
from passaparola.domain.records import Owner, RewardMessage, RewardRef
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit


@pytest.fixture
def held(world: World) -> tuple[str, RewardRef]:
    """Anna buys through her own link with a second mailbox and the address of an order of
    hers: the order waits for review. Returns its conversion id and Anna's reward."""
    world.convert("100", "anna@example.com", address="Via Roma 1, Milano")
    code = world.enrol("anna@example.com")
    world.claim(code, "anna.second@example.org")
    converted = world.convert("101", "anna.second@example.org", address="Via Roma 1 Milano")
    assert converted.status == "review"
    world.queue.take()
    return converted.conversion_id, RewardRef(Owner.referrer(code), "order-101")


def test_an_approved_order_queues_its_reward_for_the_usual_hold(world, held):
    conversion, ref = held
    decided = world.reviews.decide(conversion, "approve", None, "shop")
    assert (decided.ruling.decision, decided.ruling.by, decided.ruling.at) == (
        "approve",
        "shop",
        world.clock.now,
    )
    assert decided.rewards == {"order-101": "pending"}
    assert world.queue.sent == [RewardMessage(ref.owner, ref.reward_id, "pending")]
    assert world.memory.orders["101"].status == "queued"
    world.work()
    assert world.ledger.get(ref).status == "held"


def test_a_rejected_order_voids_its_reward_and_frees_the_slot(world, held):
    conversion, ref = held
    decided = world.reviews.decide(conversion, "reject", "same household", "shop")
    assert (decided.ruling.decision, decided.ruling.note) == ("reject", "same household")
    assert decided.rewards == {"order-101": "void"}
    reward = world.ledger.get(ref)
    assert (reward.status, reward.void_reason) == ("void", "review_rejected")
    assert world.memory.referrers[ref.owner.id].qualified == 0
    assert world.queue.sent == []


def test_a_second_decision_answers_with_the_first(world, held):
    conversion, _ = held
    first = world.reviews.decide(conversion, "reject", None, "shop")
    world.pass_time(minutes=5)
    second = world.reviews.decide(conversion, "approve", None, "shop")
    assert second.ruling == first.ruling
    assert second.rewards == {"order-101": "void"}
    assert world.queue.sent == []


def test_two_decisions_at_once_carry_out_the_one_recorded_first(world, held):
    conversion, ref = held
    world.memory.before("reviews.decide", lambda: world.reviews.decide(conversion, "reject", None, "shop"))
    decided = world.reviews.decide(conversion, "approve", None, "shop")
    assert decided.ruling.decision == "reject"
    assert world.ledger.get(ref).status == "void"
    assert world.queue.sent == []


def test_a_refund_before_the_decision_leaves_nothing_to_approve(world, held):
    conversion, _ = held
    world.refunds.refund("101")
    decided = world.reviews.decide(conversion, "approve", None, "shop")
    assert decided.rewards == {"order-101": "void"}
    assert world.queue.sent == []


def test_an_order_that_was_never_held_has_nothing_to_review(world, held):
    with pytest.raises(NotFound):
        world.reviews.decide("cv_000000000000000000000000", "approve", None, "shop")
