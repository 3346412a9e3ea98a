"""The lifecycle's emails on fakes: each written with what causes it, sent once at its time,
in the person's language, and not at all when it is no longer wanted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from passaparola.domain.campaign import EmailSwitches
from passaparola.domain.records import FoldedClicks, Owner, RewardRef
from passaparola.domain.tokens import OptOut
from passaparola.services.lifecycle import Lifecycle
from tests.fakes import person_key
from tests.unit.services.conftest import RULES, World

pytestmark = pytest.mark.unit

ANNA, MARCO = "anna@example.com", "marco@example.com"
CLAIMED = "A friend has accepted your invitation to Acme"
ORDERED = "A friend you invited has placed an order at Acme"


def subjects(world: World, address: str) -> list[str]:
    return [email.subject for email in world.mailer.to(address)]


def claimed_notice(campaign: str = "gift") -> str:
    return f"friend_claimed.{campaign}.{person_key(MARCO)}"


def test_a_friends_claim_tells_the_referrer_once_with_a_way_to_unsubscribe(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.work()
    (told,) = [email for email in world.mailer.to(ANNA) if email.subject == CLAIMED]
    assert told.unsubscribe is not None and told.unsubscribe.campaign == "gift"
    assert MARCO not in told.text and "marco" not in told.html.lower()  # who, it does not say
    assert "When they place their first order, you will get €10 in store credit." in told.text
    assert world.notices.send(claimed_notice()) is None  # a redelivery: done already
    assert subjects(world, ANNA).count(CLAIMED) == 1


def test_two_workers_on_one_notice_send_it_once(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.queue.take()
    inner = []
    world.memory.before("notices.take", lambda: inner.append(world.notices.send(claimed_notice())))
    assert world.notices.send(claimed_notice()) is None
    assert inner == ["sent"]
    assert subjects(world, ANNA).count(CLAIMED) == 1


def test_a_notice_whose_email_fails_is_given_back_and_sent_by_the_retry(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.queue.take()
    world.mailer.down = True
    with pytest.raises(ConnectionError):
        world.notices.send(claimed_notice())
    world.mailer.down = False
    assert world.notices.send(claimed_notice()) == "sent"  # no lease to wait out
    assert subjects(world, ANNA).count(CLAIMED) == 1


def test_an_attributed_order_tells_the_referrer_the_day_the_reward_is_released(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.convert("1001", MARCO)
    world.work()
    (told,) = [email for email in world.mailer.to(ANNA) if email.subject == ORDERED]
    release = (world.clock.now + timedelta(days=14)).date()
    assert f"Your reward will be released on {release:%B} {release.day}, {release.year}" in told.text
    assert "that earns you €10 in store credit." in told.text
    assert world.memory.notices["order_attributed.gift.1001"].outcome == "sent"
    assert world.ledger.get(RewardRef(Owner.referrer(code), "order-1001")).status == "held"


def test_an_order_refunded_before_its_email_goes_is_not_announced(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.work()
    world.convert("1001", MARCO)
    world.queue.take()  # the messages are late
    world.refunds.refund("1001")
    world.pass_time(minutes=3)
    world.sweep()
    assert ORDERED not in subjects(world, ANNA)
    assert world.memory.notices["order_attributed.gift.1001"].outcome == "not_needed"


def test_without_a_hold_the_reward_email_alone_tells_of_the_order(world):
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    assert not [s for s in subjects(world, ANNA) if "placed an order" in s]
    assert "Your reward from Acme: 1 free month" in subjects(world, ANNA)


def test_the_referrer_whose_link_nobody_opened_is_nudged_once_after_the_days_set(world):
    code = world.enrol(ANNA)
    world.pass_time(days=7)
    assert world.sweep() == 0  # not yet: a sweep a little after its time
    world.pass_time(minutes=3)
    assert world.sweep() == 1
    (nudge,) = [e for e in world.mailer.to(ANNA) if "waiting to be shared" in e.subject]
    assert f"http://api.test/r/{code}" in nudge.text
    assert nudge.unsubscribe is not None
    world.pass_time(days=7)
    assert world.sweep() == 0
    assert len([s for s in subjects(world, ANNA) if "waiting to be shared" in s]) == 1


def test_a_referrer_whose_link_was_opened_is_not_nudged(world):
    code = world.enrol(ANNA)
    world.pass_time(days=1)
    world.memory.visits.add((code, world.clock.now.date(), "v1"))  # what the click path writes
    world.pass_time(days=7)
    world.sweep()
    assert subjects(world, ANNA) == ["Your referral link for The gift campaign"]
    assert world.memory.notices[f"referrer_nudge.gift.{code}"].outcome == "not_needed"


def test_a_referrer_whose_clicks_were_folded_into_the_code_is_not_nudged(world):
    code = world.enrol(ANNA)
    world.memory.referrers[code] = replace(
        world.memory.referrers[code], folded_clicks=FoldedClicks(1500, world.clock.now.date())
    )
    world.pass_time(days=8)
    world.sweep()
    assert world.memory.notices[f"referrer_nudge.gift.{code}"].outcome == "not_needed"


def test_an_unused_coupon_is_recalled_before_it_ends_and_a_used_one_is_not(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.claim(code, "nina@example.com")
    world.work()
    world.convert("1001", MARCO)
    world.pass_time(days=27, minutes=3)  # 30 days to use it, recalled 3 days before
    world.sweep()
    (reminder,) = [e for e in world.mailer.to("nina@example.com") if "ends on" in e.subject]
    assert "It is valid on an order of at least €20." in reminder.text
    assert reminder.unsubscribe is not None
    assert [s for s in subjects(world, MARCO) if "ends on" in s] == []
    assert world.memory.notices[f"coupon_reminder.gift.{person_key(MARCO)}"].outcome == "not_needed"


def test_the_coupon_email_says_its_conditions_and_invites_the_friend_to_refer(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    (gift,) = world.mailer.to(MARCO)
    last_day = (world.clock.now + timedelta(days=29)).date()
    assert f"Use it by {last_day:%B} {last_day.day}, {last_day.year}." in gift.text
    assert "It is valid on an order of at least €20." in gift.text
    assert "Get my own link\nhttp://site.test/en/gift/#email=marco%40example.com" in gift.text
    assert code not in gift.text  # the friend's own link, not anyone's code


def test_the_last_slot_of_a_cap_tells_the_referrer_once(world):
    code = world.enrol(ANNA, campaign="capped")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    (cap,) = [e for e in world.mailer.to(ANNA) if "limit" in e.subject]
    assert "You have now invited 1 friend who counts" in cap.text
    assert world.memory.notices[f"cap_reached.capped.{code}"].outcome == "sent"


def test_an_unsubscribed_referrer_hears_nothing_more_and_the_notice_is_closed(world):
    code = world.enrol(ANNA)
    world.memory.opt_outs.add(OptOut(person_key(ANNA), "gift"))
    world.claim(code, MARCO)
    world.work()
    assert CLAIMED not in subjects(world, ANNA)
    assert world.memory.notices[claimed_notice()].outcome == "unsubscribed"


def test_a_switch_turned_off_after_the_notice_was_written_stops_it(world):
    code = world.enrol(ANNA)
    world.claim(code, MARCO)
    world.queue.take()
    gift = RULES.campaigns["gift"]
    quiet = gift.model_copy(
        update={"rules": gift.rules.model_copy(update={"emails": EmailSwitches(friend_claimed=False)})}
    )
    rules = RULES.model_copy(update={"campaigns": RULES.campaigns | {"gift": quiet}})
    lifecycle: Lifecycle = replace(world.notices, rules=rules)
    assert lifecycle.send(claimed_notice()) == "switched_off"
    assert CLAIMED not in subjects(world, ANNA)
