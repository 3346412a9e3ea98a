"""Unsubscribing, on fakes: an email that answers nothing the person did carries a way out, and
once taken, no such email about that campaign reaches the address; their own answers still do."""

from __future__ import annotations

import pytest

from passaparola.domain.errors import InvalidToken
from passaparola.domain.tokens import OptOut
from tests.fakes import person_key
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit

ANNA, MARCO, NINA = "anna@example.com", "marco@example.com", "nina@example.com"


def reward_emails(world: World, address: str) -> list[str]:
    return [email.subject for email in world.mailer.to(address) if "reward" in email.subject.lower()]


def token_of_last_email_to(world: World, address: str) -> str:
    stop = world.mailer.to(address)[-1].unsubscribe
    assert stop is not None
    return stop.one_click_url.rsplit("/", 1)[1]


def test_a_referrers_reward_email_names_the_address_by_key_and_the_campaign(world):
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    stop = world.mailer.to(ANNA)[-1].unsubscribe
    assert stop is not None
    assert (stop.email_key, stop.campaign) == (person_key(ANNA), "instant")
    assert stop.one_click_url.startswith("http://api.test/unsubscribe/instant.")
    assert stop.page_url.startswith("http://site.test/en/unsubscribe/#t=instant.")
    # the welcome and the friend's coupon answer what each of them did: no way out needed
    assert world.mailer.to(ANNA)[0].unsubscribe is None
    assert [email.unsubscribe for email in world.mailer.to(MARCO)] == [None]


def test_an_unsubscribed_referrer_gets_no_more_reward_emails_but_still_their_own_answers(world):
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    assert len(reward_emails(world, ANNA)) == 1
    assert world.unsubscribes.unsubscribe(token_of_last_email_to(world, ANNA)) == OptOut(
        person_key(ANNA), "instant"
    )

    world.claim(code, NINA)
    world.convert("2", NINA)
    world.work()
    assert len(reward_emails(world, ANNA)) == 1  # the second reward is issued, and not emailed
    second = [r for r in world.rewards_of(code).values() if r.reward_id == "order-2"]
    assert [(r.status, r.notified_at is not None) for r in second] == [("issued", True)]
    assert len(world.mailer.to(NINA)) == 1  # the friend's coupon answers the friend's claim

    world.pass_time(days=1, minutes=1)
    world.enrol(ANNA, campaign="instant")  # asking for the link again is answered
    assert "referral link" in world.mailer.to(ANNA)[-1].subject


def test_unsubscribing_from_one_campaign_leaves_the_others(world):
    world.memory.opt_outs.add(OptOut(person_key(ANNA), "gift"))
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    assert len(reward_emails(world, ANNA)) == 1


def test_the_same_mailbox_by_another_spelling_is_unsubscribed_too(world):
    world.memory.opt_outs.add(OptOut(person_key(ANNA), "instant"))
    code = world.enrol("ANNA@Example.com", campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    assert reward_emails(world, "anna@example.com") == []


def test_a_tampered_token_unsubscribes_no_one(world):
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    campaign, _, mac = token_of_last_email_to(world, ANNA).split(".")
    with pytest.raises(InvalidToken):
        world.unsubscribes.unsubscribe(f"{campaign}.{person_key(MARCO)}.{mac}")
    assert world.memory.opt_outs == set()


def test_unsubscribing_twice_is_the_same_as_once(world):
    code = world.enrol(ANNA, campaign="instant")
    world.claim(code, MARCO)
    world.convert("1", MARCO)
    world.work()
    token = token_of_last_email_to(world, ANNA)
    world.unsubscribes.unsubscribe(token)
    world.pass_time(hours=1)
    world.unsubscribes.unsubscribe(token)
    assert world.memory.opt_outs == {OptOut(person_key(ANNA), "instant")}
