"""What each change of the table adds to the counters (domain.counters), from old and new
images alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from passaparola.domain.campaign import Credit
from passaparola.domain.counters import (
    RANK_PER_ORDER,
    Change,
    CodeCounters,
    DayCounters,
    deltas,
    ttc_bucket,
)
from passaparola.domain.records import Claim, FirstOrder, Order, Owner, Referrer, Reward, Visit

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
DAY = DayCounters("spring", date(2026, 12, 1))
CODE = "SPRING-BCDFGHJKM"
ANNA = CodeCounters(CODE)


def visit(visitor: str = "v1", code: str = CODE, variant: str | None = "a") -> Visit:
    return Visit(code, "spring", NOW.date(), visitor, NOW, variant)


def claim(variant: str | None = "b") -> Claim:
    return Claim("friend", "spring", "cl_1", CODE, "marco@example.com", "en", NOW, variant=variant)


def order(status: str = "queued", reason: str | None = None, **changes: object) -> Order:
    fields = {"campaign": "spring", "code": CODE, "amount": Decimal("49.90"), "currency": "EUR"}
    return Order("1001", status, "cv_1", created_at=NOW, reason=reason, **fields | changes)  # type: ignore[arg-type]


def reward(status: str = "pending", takes_slot: bool = True) -> Reward:
    return Reward(
        owner=Owner.referrer(CODE),
        reward_id="order-1001",
        role="referrer",
        spec=Credit(type="credit", amount=Decimal(10), currency="EUR"),
        value=Decimal(10),
        currency="EUR",
        hold_days=14,
        campaign="spring",
        code=CODE,
        status=status,  # type: ignore[arg-type]
        created_at=NOW,
        takes_slot=takes_slot,
    )


def inserted(record: object) -> Change:
    return Change(None, record)  # type: ignore[arg-type]


def test_a_click_counts_on_its_campaign_day_its_variant_and_the_days_visitors_not_its_code() -> None:
    """The code's own clicks are counted on read (domain.clicks): in the long tail a write to
    the code per click would cost more than the click."""
    counted = deltas([inserted(visit())], {CODE})
    assert counted.adds == {DAY: {"clicks": 1, "v_a_clicks": 1}}
    assert counted.visitors == {DAY: {"v1"}}


def test_a_click_on_a_code_that_does_not_count_counts_nowhere() -> None:
    """The click path writes a visit for any well-formed code of a running campaign without
    reading it; only codes that exist and are active count."""
    counted = deltas([inserted(visit(code="SPRING-NOBODYXXX"))], {CODE})
    assert not counted
    assert counted.targets == set()


def test_claims_count_on_the_code_and_its_rank_the_day_they_were_made_and_their_variant() -> None:
    """A code's rank is orders * 1e9 + claims: clicks are not on the code's item to rank by."""
    counted = deltas([inserted(claim())], set())
    assert counted.adds == {ANNA: {"claims": 1, "rank": 1}, DAY: {"claims": 1, "v_b_claims": 1}}


def test_a_first_order_counts_orders_rank_variant_and_the_time_it_took() -> None:
    first = FirstOrder(
        "friend", "spring", "1001", NOW, CODE, claimed_at=NOW - timedelta(hours=5), variant="b"
    )
    counted = deltas([inserted(first)], set())
    assert counted.adds == {
        ANNA: {"orders": 1, "rank": RANK_PER_ORDER},
        DAY: {"orders": 1, "v_b_orders": 1, "ttc_4": 1},
    }


def test_an_order_with_no_claim_has_no_time_to_convert() -> None:
    first = FirstOrder("friend", "spring", "1001", NOW, CODE)
    assert deltas([inserted(first)], set()).adds[DAY] == {"orders": 1}


@pytest.mark.parametrize(
    ("hours", "bucket"),
    [
        (0, 0),
        (0.99, 0),
        (1, 1),
        (1.5, 1),
        (2, 2),
        (3.9, 2),
        (4, 4),
        (47, 32),
        (2047, 1024),
        (5000, 2048),
        (-1, 0),
    ],
)
def test_time_to_convert_falls_into_log2_buckets(hours: float, bucket: int) -> None:
    assert ttc_bucket(hours) == bucket


def test_a_referred_order_that_stands_adds_its_revenue_to_the_code_and_the_day() -> None:
    counted = deltas([inserted(order())], set())
    assert counted.adds == {ANNA: {"revenue_EUR": Decimal("49.90")}, DAY: {"revenue_EUR": Decimal("49.90")}}


def test_a_rejected_order_counts_its_reason_and_no_revenue() -> None:
    counted = deltas([inserted(order("rejected", "below_minimum"))], set())
    assert counted.adds == {DAY: {"rejected_below_minimum": 1}}


def test_an_unattributed_order_counts_nowhere() -> None:
    counted = deltas([inserted(order("rejected", "unattributed", campaign=None, code=None))], set())
    assert not counted


def test_an_order_held_for_review_counts_once_and_moves_when_decided() -> None:
    held = order("review", "shared_address")
    assert deltas([inserted(held)], set()).adds == {DAY: {"review_shared_address": 1}}
    approved = deltas([Change(held, replace(held, status="queued"))], set())
    assert approved.adds == {ANNA: {"revenue_EUR": Decimal("49.90")}, DAY: {"revenue_EUR": Decimal("49.90")}}
    rejected = deltas([Change(held, replace(held, status="rejected"))], set())
    assert rejected.adds == {DAY: {"rejected_shared_address": 1}}


def test_an_order_refunded_later_changes_no_counter() -> None:
    paid = order()
    assert not deltas([Change(paid, replace(paid, refunded_at=NOW))], set())


def test_a_reward_counts_by_its_current_status_on_the_day_it_was_created() -> None:
    created = deltas([inserted(reward())], set())
    assert created.adds == {DAY: {"rw_pending_n": 1, "rw_pending_EUR": Decimal(10), "qualified": 1}}
    later = replace(reward("held"), created_at=NOW)
    moved = deltas([Change(reward(), later)], set())
    assert moved.adds == {
        DAY: {"rw_pending_n": -1, "rw_pending_EUR": Decimal(-10), "rw_held_n": 1, "rw_held_EUR": Decimal(10)}
    }


def test_a_voided_reward_gives_its_cap_slot_back() -> None:
    moved = deltas([Change(reward("held"), reward("void"))], set())
    assert moved.adds[DAY]["qualified"] == -1


def test_a_reward_changed_without_a_new_status_counts_nothing() -> None:
    issued = reward("issued")
    assert not deltas([Change(issued, replace(issued, notified_at=NOW))], set())


def test_a_new_referrer_counts_on_the_day_they_enrolled() -> None:
    anna = Referrer(CODE, "spring", "anna@example.com", "key", "en", NOW)
    assert deltas([inserted(anna)], set()).adds == {DAY: {"referrers": 1}}


def test_a_run_of_changes_adds_up_and_what_cancels_out_disappears() -> None:
    changes = [inserted(visit("v1")), inserted(visit("v2", variant="b")), inserted(claim(None))]
    changes += [inserted(reward()), Change(reward(), reward("void"))]
    counted = deltas(changes, {CODE})
    assert counted.adds[ANNA] == {"claims": 1, "rank": 1}
    assert counted.adds[DAY] == {
        "clicks": 2,
        "v_a_clicks": 1,
        "v_b_clicks": 1,
        "claims": 1,
        "rw_void_n": 1,
        "rw_void_EUR": 10,
    }
    assert counted.visitors == {DAY: {"v1", "v2"}}


def test_days_are_utc_days() -> None:
    """00:30 on 2 December in Rome is still 1 December in UTC."""
    rome = datetime(2026, 12, 2, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    counted = deltas([inserted(replace(claim(), claimed_at=rome))], set())
    assert DAY in counted.adds
