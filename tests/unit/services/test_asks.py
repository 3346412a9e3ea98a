"""The ask after a purchase on fakes: written with the order, once per buyer and campaign, sent
on its day in the buyer's language, and not at all when it is no longer wanted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from passaparola.domain.campaign import EmailSwitches
from passaparola.domain.money import Money
from passaparola.domain.orders import Identifiers, PaidOrder
from passaparola.domain.records import ask_id
from passaparola.domain.tokens import OptOut
from passaparola.services.lifecycle import Lifecycle
from tests.fakes import person_key
from tests.unit.services.conftest import ELSEWHERE, RULES, World

pytestmark = pytest.mark.unit

ANNA, MARCO = "anna@example.com", "marco@example.com"
ASKED = "Share Acme with your friends"
# The test rules' campaigns have no `starts`: an order nobody referred asks in the first by slug.
FIRST = "capped"


def order(world: World, order_id: str, email: str, **fields: object) -> str:
    price = Money(amount=Decimal("30"), currency="EUR")
    paid = PaidOrder(order_id, price, Identifiers(email), **fields)  # type: ignore[arg-type]
    return world.conversions.convert(paid).status


def ask_of(world: World, email: str, campaign: str = FIRST):
    return world.memory.notices.get(ask_id(campaign, person_key(email)))


def test_an_order_nobody_referred_is_asked_once_three_days_later(world):
    assert order(world, "1", MARCO) == "rejected"
    notice = ask_of(world, MARCO)
    assert notice is not None
    assert (notice.code, notice.order_id, notice.email, notice.lang) == (None, "1", MARCO, "en")
    assert notice.send_at == world.clock.now + timedelta(days=3)
    world.pass_time(days=3, minutes=5)
    world.sweep()
    (asked,) = world.mailer.to(MARCO)
    assert asked.subject == ASKED
    assert asked.unsubscribe is not None and asked.unsubscribe.campaign == FIRST
    assert "http://site.test/en/capped/#email=marco%40example.com" in asked.text
    assert "You get this email because you placed an order at Acme." in asked.text
    assert "This is the only invitation to “The capped campaign” we will send you." in asked.text
    assert order(world, "2", MARCO) == "rejected"  # a second order: no second ask
    world.pass_time(days=4)
    world.sweep()
    assert len(world.mailer.to(MARCO)) == 1
    assert ask_of(world, MARCO).order_id == "1"  # type: ignore[union-attr]


def test_a_referred_order_asks_in_its_campaign_in_the_language_the_buyer_claimed_in(world):
    code = world.enrol(ANNA)
    world.claims.claim(code, MARCO, "it", None, ELSEWHERE)
    assert order(world, "1", MARCO) == "queued"
    notice = ask_of(world, MARCO, "gift")
    assert notice is not None and (notice.code, notice.lang) == (code, "it")
    assert ask_of(world, MARCO) is None  # one ask per order: its campaign's
    assert order(world, "2", "bea@example.com", codes=(code,), locale="it-IT") == "queued"
    assert ask_of(world, "bea@example.com", "gift").lang == "it"  # type: ignore[union-attr]


def test_a_buyer_enrolled_in_the_campaign_is_not_asked_and_nothing_is_written(world):
    world.enrol(MARCO, campaign=FIRST)
    order(world, "1", MARCO)
    assert ask_of(world, MARCO) is None


def test_a_throwaway_address_is_not_asked_it_could_not_enrol(world):
    order(world, "1", "someone@mailinator.com")
    assert not [n for n in world.memory.notices.values() if n.kind == "purchase_ask"]


def test_a_campaign_for_promoters_asks_only_a_nine_or_a_ten(world):
    promoters = RULES.campaigns[FIRST].rules.model_copy(
        update={"ask": RULES.campaigns[FIRST].rules.ask.model_copy(update={"only_promoters": True})}
    )
    rules = RULES.model_copy(
        update={
            "campaigns": RULES.campaigns
            | {FIRST: RULES.campaigns[FIRST].model_copy(update={"rules": promoters})}
        }
    )
    world.conversions = replace(world.conversions, rules=rules)
    order(world, "1", "nine@example.com", satisfaction=9)
    order(world, "2", "eight@example.com", satisfaction=8)
    order(world, "3", "silent@example.com")
    assert ask_of(world, "nine@example.com") is not None
    assert ask_of(world, "eight@example.com") is None
    assert ask_of(world, "silent@example.com") is None


@pytest.mark.parametrize("after", ["enrolled", "refunded", "unsubscribed"])
def test_no_ask_goes_to_a_buyer_who_joined_or_left_or_whose_order_was_refunded(world, after):
    order(world, "1", MARCO)
    match after:
        case "enrolled":
            world.enrol(MARCO, campaign=FIRST)
        case "refunded":
            world.refunds.refund("1")
        case "unsubscribed":
            world.memory.opt_outs.add(OptOut(person_key(MARCO), FIRST))
    world.pass_time(days=3, minutes=5)
    world.sweep()
    assert ASKED not in [email.subject for email in world.mailer.to(MARCO)]
    expected = "unsubscribed" if after == "unsubscribed" else "not_needed"
    assert ask_of(world, MARCO).outcome == expected  # type: ignore[union-attr]


def test_a_switch_turned_off_after_the_order_stops_the_ask(world):
    order(world, "1", MARCO)
    campaign = RULES.campaigns[FIRST]
    off = campaign.model_copy(
        update={"rules": campaign.rules.model_copy(update={"emails": EmailSwitches(purchase_ask=False)})}
    )
    lifecycle: Lifecycle = replace(
        world.notices, rules=RULES.model_copy(update={"campaigns": RULES.campaigns | {FIRST: off}})
    )
    world.pass_time(days=3, minutes=5)
    assert lifecycle.send(ask_id(FIRST, person_key(MARCO))) == "switched_off"
    assert world.mailer.to(MARCO) == []
