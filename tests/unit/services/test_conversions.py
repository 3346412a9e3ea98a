"""Conversions on fakes: attribution, the checks, and the races the table settles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from passaparola.domain.money import Money
from passaparola.domain.orders import Identifiers, PaidOrder
from passaparola.domain.records import NoticeMessage, Owner, RewardMessage
from tests.fakes import person_key
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit


@pytest.fixture
def referral(world: World) -> str:
    """Anna refers Marco in the gift campaign; returns her code."""
    code = world.enrol("anna@example.com")
    world.claim(code, "marco@example.com")
    world.queue.take()  # Marco's coupon, already issued at claim
    return code


def test_a_referred_order_is_recorded_and_its_reward_queued(world, referral):
    converted = world.convert("1001", "Marco@Example.com")
    assert (converted.status, converted.reason, converted.rewards) == ("queued", None, 1)
    reward = world.rewards_of(referral)["order-1001"]
    assert (reward.status, reward.value, reward.currency, reward.takes_slot) == ("pending", 10, "EUR", True)
    assert world.queue.sent == [
        RewardMessage(Owner.referrer(referral), "order-1001", "pending"),
        NoticeMessage("order_attributed.gift.1001"),  # Anna is told, with the day it comes
    ]
    order = world.memory.orders["1001"]
    assert (order.status, order.conversion_id, order.code, order.via) == (
        "queued",
        converted.conversion_id,
        referral,
        "claim",
    )
    assert world.memory.referrers[referral].qualified == 1
    claim = world.memory.claims[(person_key("marco@example.com"), "gift")]
    first = world.memory.first_orders[(person_key("marco@example.com"), "gift")]
    # What the counters' rollup reads: the time from claim to order, and the A/B variant.
    assert (first.order_id, first.code, first.claimed_at, first.variant) == (
        "1001",
        referral,
        claim.claimed_at,
        claim.variant,
    )


def test_the_referrers_own_order_under_a_tag_on_their_own_domain_earns_nothing(world):
    """The probe's case: ref+x@ bought with ref@'s code at checkout."""
    code = world.enrol("ref@your-own-domain.example")
    converted = world.convert("1001", "ref+x@your-own-domain.example", code=code)
    assert (converted.status, converted.reason, converted.rewards) == ("rejected", "self_referral", 0)
    assert world.rewards_of(code) == {}


def test_an_order_delivered_again_is_a_duplicate_with_the_same_conversion_id(world, referral):
    first = world.convert("1001", "marco@example.com")
    world.queue.take()
    again = world.convert("1001", "marco@example.com", amount="999")
    assert (again.conversion_id, again.status, again.reason, again.rewards) == (
        first.conversion_id,
        "duplicate",
        None,
        0,
    )
    assert world.queue.sent == []
    assert list(world.rewards_of(referral)) == ["order-1001"]


def test_two_deliveries_of_one_order_at_once_record_it_once(world, referral):
    """The second delivery looks the order up before the first has written it; the table's
    condition on the order decides which one records it."""
    inner = []
    world.memory.before("orders.record", lambda: inner.append(world.convert("1001", "marco@example.com")))
    outer = world.convert("1001", "marco@example.com")
    assert inner[0].status == "queued"
    assert (outer.status, outer.conversion_id) == ("duplicate", inner[0].conversion_id)
    assert list(world.rewards_of(referral)) == ["order-1001"]
    assert len(world.queue.sent) == 2  # its reward, and the email that tells of it
    assert len(world.memory.first_orders) == 1


def test_the_cap_filling_between_read_and_write_pays_only_the_order_that_got_there_first(world):
    code = world.enrol("anna@example.com", campaign="capped")  # one rewarded referral at most
    inner = []
    world.memory.before(
        "orders.record", lambda: inner.append(world.convert("B", "bea@example.com", code=code))
    )
    outer = world.convert("A", "marco@example.com", code=code)
    assert (inner[0].status, inner[0].rewards) == ("queued", 1)
    assert (outer.status, outer.reason, outer.rewards) == ("rejected", "cap_reached", 0)
    assert list(world.rewards_of(code)) == ["order-B"]
    assert world.memory.referrers[code].qualified == 1
    assert len(world.memory.first_orders) == 2  # both are first orders; one earned nothing
    assert world.memory.orders["A"].reason == "cap_reached"


def test_a_friends_two_first_orders_at_once_make_one_first_order(world, referral):
    """Two orders from Marco race to be his first in the campaign: the first-order fact is
    written once, and the other order is judged again as a repeat."""
    inner = []
    world.memory.before("orders.record", lambda: inner.append(world.convert("2", "marco@example.com")))
    outer = world.convert("1", "marco@example.com")
    assert inner[0].status == "queued"
    assert (outer.status, outer.reason) == ("rejected", "repeat_customer")
    assert list(world.rewards_of(referral)) == ["order-2"]
    assert world.memory.first_orders[(person_key("marco@example.com"), "gift")].order_id == "2"


def test_an_order_nobody_referred_earns_nothing_and_is_kept_only_a_while(world):
    converted = world.convert("1", "stranger@example.com", address="Via Roma 1")
    assert (converted.status, converted.reason, converted.rewards) == ("rejected", "unattributed", 0)
    order = world.memory.orders["1"]
    assert order.expires_at == world.clock.now + timedelta(days=30)
    assert {kind for kind, _ in world.memory.markers} == {"email", "address"}
    assert world.queue.sent == []


def test_a_refund_that_came_first_blocks_the_order(world, referral):
    assert world.refunds.refund("1001").status == "noted"
    converted = world.convert("1001", "marco@example.com")
    assert (converted.status, converted.reason) == ("rejected", "refunded")
    assert world.rewards_of(referral) == {}


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [("19.99", "EUR", "below_minimum"), ("49.90", "USD", "currency_mismatch")],
)
def test_an_order_outside_the_campaigns_terms_says_which(world, referral, amount, currency, reason):
    price = Money(amount=Decimal(amount), currency=currency)
    converted = world.conversions.convert(PaidOrder("9", price, Identifiers("marco@example.com")))
    assert (converted.status, converted.reason, converted.rewards) == ("rejected", reason, 0)
    assert world.rewards_of(referral) == {}


def test_an_order_sharing_the_referrers_address_waits_for_review_with_its_slot_taken(world):
    """Anna, who has ordered before, buys through her own link with a second mailbox."""
    world.convert("100", "anna@example.com", address="Via Roma 1, Milano")
    code = world.enrol("anna@example.com")
    world.claim(code, "anna.second@example.org")
    world.queue.take()
    converted = world.convert("101", "anna.second@example.org", address="VIA ROMA 1 - milano")
    assert (converted.status, converted.reason, converted.rewards) == ("review", "shared_address", 1)
    assert world.rewards_of(code)["order-101"].status == "review"
    assert world.queue.sent == []
    review = world.memory.reviews[converted.conversion_id]
    assert (review.reason, [ref.reward_id for ref in review.rewards]) == ("shared_address", ["order-101"])
    assert world.memory.referrers[code].qualified == 1
