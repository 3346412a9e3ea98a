"""A code's clicks as its referrer, the report and the nudge read them (services.click_counts),
on the in-memory stores: counted from the visits, folded into the code when enough settle,
and right whichever of two readers folds first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from passaparola.domain import clicks
from passaparola.domain.records import FoldedClicks, Referrer, Visit
from passaparola.services.click_counts import ClickCounter
from passaparola.storage.clicks import visit_item
from tests import fakes
from tests.support import Clock

pytestmark = pytest.mark.unit

CODE = "GIFT-BCDFGHJKM"


@pytest.fixture
def memory() -> fakes.Memory:
    memory = fakes.Memory()
    memory.referrers[CODE] = Referrer(CODE, "gift", "anna@example.com", "k", "en", Clock().now)
    return memory


def visits(memory: fakes.Memory, day: date, n: int, code: str = CODE) -> None:
    memory.visits.update((code, day, f"{day}-{k}") for k in range(n))


def folded(memory: fakes.Memory) -> FoldedClicks:
    return memory.referrers[CODE].folded_clicks


def test_a_few_visits_are_counted_and_nothing_is_written(memory: fakes.Memory) -> None:
    clock = Clock()
    visits(memory, clock.now.date() - timedelta(days=10), 40)
    visits(memory, clock.now.date(), 2)
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    assert counter.clicks(CODE, folded(memory)) == 42
    assert memory.writes == []


def test_a_thousand_settled_visits_are_folded_and_the_next_read_starts_after_them(
    memory: fakes.Memory,
) -> None:
    clock = Clock()
    today = clock.now.date()
    visits(memory, today - timedelta(days=5), 1200)
    visits(memory, today - timedelta(days=1), 30)
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    assert counter.clicks(CODE, folded(memory)) == 1230
    assert folded(memory) == FoldedClicks(1200, today - timedelta(days=3))
    store = fakes.ClickCounts(memory)
    assert store.visits_after(CODE, folded(memory).through) == {today - timedelta(days=1): 30}
    assert counter.clicks(CODE, folded(memory)) == 1230
    assert memory.writes == ["clicks.fold"]


def test_two_readers_folding_at_once_count_the_same_and_fold_once(memory: fakes.Memory) -> None:
    clock = Clock()
    visits(memory, clock.now.date() - timedelta(days=4), 1500)
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    read_before = folded(memory)
    memory.before("clicks.fold", lambda: counter.clicks(CODE, folded(memory)))  # the other reader
    assert counter.clicks(CODE, read_before) == 1500
    assert memory.writes == ["clicks.fold"]
    assert folded(memory).clicks == 1500
    assert counter.clicks(CODE, folded(memory)) == 1500


def test_the_clicks_of_several_codes_read_their_folded_counts_together(memory: fakes.Memory) -> None:
    clock = Clock()
    memory.referrers[CODE] = replace(
        memory.referrers[CODE], folded_clicks=FoldedClicks(9000, date(2020, 1, 1))
    )
    visits(memory, clock.now.date(), 3)
    visits(memory, clock.now.date(), 4, code="GIFT-NOBODYXXX")  # a code nobody holds
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    assert counter.of_codes([CODE, "GIFT-NOBODYXXX"]) == {CODE: 9003, "GIFT-NOBODYXXX": 0}


def test_a_code_was_clicked_if_it_has_a_visit_or_folded_clicks(memory: fakes.Memory) -> None:
    counter = ClickCounter(fakes.ClickCounts(memory), Clock())
    assert not counter.ever(CODE, folded(memory))
    assert counter.ever(CODE, FoldedClicks(1000, date(2026, 1, 1)))
    visits(memory, date(2026, 1, 1), 1)
    assert counter.ever(CODE, folded(memory))


def test_visits_are_folded_well_before_their_ttl_deletes_them() -> None:
    assert clicks.SETTLED_AFTER + clicks.FOLD_BY_AGE <= clicks.VISIT_TTL / 10
    at = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    item = visit_item(Visit(CODE, "gift", at.date(), "ab" * 16, at, None))
    assert item["expires_at"] == int((at + clicks.VISIT_TTL).timestamp())
    assert timedelta(days=365) <= clicks.VISIT_TTL


def test_a_few_visits_are_folded_once_the_oldest_has_waited_a_month(memory: fakes.Memory) -> None:
    clock = Clock()
    today = clock.now.date()
    oldest = today - clicks.SETTLED_AFTER - clicks.FOLD_BY_AGE
    visits(memory, oldest + timedelta(days=1), 5)
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    assert counter.clicks(CODE, folded(memory)) == 5
    assert memory.writes == []  # a day short of the month: read again, not written
    visits(memory, oldest, 2)
    assert counter.clicks(CODE, folded(memory)) == 7
    assert folded(memory) == FoldedClicks(7, today - clicks.SETTLED_AFTER)
    assert memory.writes == ["clicks.fold"]


def test_a_code_read_twice_a_year_keeps_every_click_while_its_visits_expire(memory: fakes.Memory) -> None:
    """Three years of a few clicks a day, far fewer than FOLD_AT, read every 200 days, with the
    table's TTL deleting each visit VISIT_TTL after it: the count never loses one."""
    clock = Clock()
    start = clock.now.date()
    counter = ClickCounter(fakes.ClickCounts(memory), clock)
    clicked = 0
    for n in range(3 * 365):
        day = start + timedelta(days=n)
        clock.now = datetime.combine(day, time(12), UTC)
        visits(memory, day, 3)
        clicked += 3
        expired = {
            v for v in memory.visits if clicks.expires(datetime.combine(v[1], time(23, 59), UTC)) <= clock.now
        }
        memory.visits -= expired
        if n % 200 == 199:
            assert counter.clicks(CODE, folded(memory)) == clicked
    assert min(d for _, d, _ in memory.visits) > start  # the first year's visits are gone
    assert counter.clicks(CODE, folded(memory)) == clicked
