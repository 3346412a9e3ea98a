"""The reward lifecycle on fakes: pending -> held -> issued -> told, the release schedule, and
workers that meet on one reward."""

from __future__ import annotations

from datetime import timedelta

import pytest

from passaparola.domain import codes
from passaparola.domain.records import NoticeMessage, Owner, RewardMessage, RewardRef
from tests.fakes import person_key
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit


def referred_order(world: World, campaign: str, order_id: str = "1") -> tuple[str, RewardRef]:
    """Anna refers Marco, who orders; returns Anna's code and her reward for the order."""
    code = world.enrol("anna@example.com", campaign=campaign)
    world.claim(code, "marco@example.com")
    assert world.convert(order_id, "marco@example.com").status == "queued"
    return code, RewardRef(Owner.referrer(code), f"order-{order_id}")


def released(world: World) -> list[RewardMessage]:
    """The rewards the release schedule queues now (it queues the lifecycle's emails too)."""
    world.schedule.release_due(100)
    return [message for message in world.queue.sent if isinstance(message, RewardMessage)]


def told(world: World, address: str) -> list[str]:
    return [email.subject for email in world.mailer.to(address) if "reward" in email.subject.lower()]


def test_a_reward_is_held_issued_when_its_hold_ends_and_its_owner_told_once(world):
    code, ref = referred_order(world, "gift")
    world.work()
    held = world.ledger.get(ref)
    assert (held.status, held.hold_until) == ("held", held.created_at + timedelta(days=14))
    assert released(world) == []
    world.pass_time(days=14, minutes=1)
    assert released(world) == [RewardMessage(ref.owner, ref.reward_id, "held")]
    world.work()
    issued = world.ledger.get(ref)
    assert (issued.status, issued.issued_at, issued.notified_at) == (
        "issued",
        world.clock.now,
        world.clock.now,
    )
    assert ref not in world.memory.due
    (subject,) = told(world, "anna@example.com")
    assert "/en/stats/#t=" in world.mailer.to("anna@example.com")[-1].text
    world.lifecycle.advance(ref)  # a redelivery finds nothing left to do
    assert told(world, "anna@example.com") == [subject]
    assert world.memory.referrers[code].rewarded == 1


def test_a_pending_reward_whose_message_was_lost_is_released_after_the_grace(world):
    _, ref = referred_order(world, "gift")
    world.queue.take()  # the messages never arrive
    assert world.schedule.release_due(100) == 0  # too fresh: its message may be on its way
    world.pass_time(minutes=3)
    assert world.schedule.release_due(100) == 3
    # the reward, and the emails telling Anna of the claim and of the order
    assert set(world.queue.sent) == {
        RewardMessage(ref.owner, ref.reward_id, "pending"),
        NoticeMessage(f"friend_claimed.gift.{person_key('marco@example.com')}"),
        NoticeMessage("order_attributed.gift.1"),
    }


def test_an_issued_reward_stays_due_until_its_owner_is_told(world):
    _, ref = referred_order(world, "instant")
    world.mailer.down = True
    world.queue.take()
    with pytest.raises(ConnectionError):
        world.lifecycle.advance(ref)
    reward = world.ledger.get(ref)
    assert (reward.status, reward.notified_at) == ("issued", None)
    assert ref in world.memory.due  # so the release schedule brings it back
    assert ref not in world.memory.notifying  # and the retry need not wait out the lease
    world.queue.take()  # the queue gave up on it
    world.mailer.down = False
    world.pass_time(minutes=3)
    assert RewardMessage(ref.owner, ref.reward_id, "issued") in released(world)
    world.work()
    assert world.ledger.get(ref).notified_at == world.clock.now
    assert len(told(world, "anna@example.com")) == 1


def test_two_workers_on_one_reward_issue_it_once_and_email_once(world):
    code, ref = referred_order(world, "instant")
    world.queue.take()
    start = len(world.memory.writes)
    world.memory.before("ledger.issue", lambda: world.lifecycle.advance(ref))
    assert world.lifecycle.advance(ref).status == "issued"
    assert world.memory.writes[start:].count("ledger.issue") == 1
    assert len(told(world, "anna@example.com")) == 1
    assert world.memory.referrers[code].rewarded == 1


def test_a_coupon_code_already_taken_is_drawn_again(world, monkeypatch):
    code = world.enrol("anna@example.com", campaign="instant")
    world.memory.coupons["INSTANT-TAKEN"] = RewardRef(Owner.friend("someone"), "friend-instant")
    drawn = iter(["INSTANT-TAKEN", "INSTANT-FREE"])
    monkeypatch.setattr(codes, "coupon_code", lambda prefix: next(drawn))
    claimed = world.claim(code, "marco@example.com")
    assert claimed.friend_reward is not None
    assert claimed.friend_reward.coupon_code == "INSTANT-FREE"


def test_a_milestone_is_granted_once_for_referrals_past_their_hold(world):
    code = world.enrol("anna@example.com")  # gift: a mug after 2 rewarded referrals
    for n in range(2):
        world.claim(code, f"friend{n}@example.com")
        world.convert(f"o{n}", f"friend{n}@example.com")
    world.work()
    assert "tier-2" not in world.rewards_of(code)
    world.pass_time(days=15)
    for _ in range(2):  # the schedule and the worker running again change nothing more
        world.schedule.release_due(100)
        world.work()
    found = world.rewards_of(code)
    assert sorted(found) == ["order-o0", "order-o1", "tier-2"]
    assert (found["tier-2"].role, found["tier-2"].status) == ("tier", "issued")
    assert len([s for s in told(world, "anna@example.com") if "mug" in s]) == 1


def test_the_worker_never_issues_a_reward_voided_while_queued(world):
    _, ref = referred_order(world, "instant")
    world.refunds.refund("1")
    world.work()
    assert world.ledger.get(ref).status == "void"
