"""The counters' rollup (services.counters) on the in-memory store: each change of a batch
counted once, however often the batch is handed over, and no transaction over 100 items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from passaparola.domain.counters import Change, CodeCounters, DayCounters, StreamChange
from passaparola.domain.records import Claim, Referrer, Visit
from passaparola.services.counters import MAX_TARGETS, CounterRollup
from tests.fakes import Counters, Memory

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAY = DayCounters("spring", NOW.date())


@pytest.fixture
def memory() -> Memory:
    memory = Memory()
    for n in range(150):
        code = f"SPRING-{n:09d}"
        memory.referrers[code] = Referrer(code, "spring", f"r{n}@example.com", f"k{n}", "en", NOW)
    return memory


def clicks(*codes: str, start: int = 1) -> list[StreamChange]:
    return [
        StreamChange(start + n, Change(None, Visit(code, "spring", NOW.date(), f"v{n}", NOW, None)))
        for n, code in enumerate(codes)
    ]


def claims(*codes: str, start: int = 1) -> list[StreamChange]:
    """A friend's claim on each code: each moves its code's own counters, so a batch of claims
    on many codes touches many items (a batch of clicks only the campaign's days)."""
    return [
        StreamChange(
            start + n, Change(None, Claim(f"f{start + n}", "spring", f"cl_{n}", code, "f@x.test", "en", NOW))
        )
        for n, code in enumerate(codes)
    ]


def test_a_batch_handed_over_again_adds_nothing_twice(memory: Memory) -> None:
    counters = Counters(memory)
    rollup = CounterRollup(counters)
    batch = clicks("SPRING-000000001", "SPRING-000000002") + claims("SPRING-000000001", start=3)
    assert rollup.roll_up("evt-1", batch) == 3
    assert rollup.roll_up("evt-1", batch) == 0
    assert counters.totals[CodeCounters("SPRING-000000001")] == {"claims": 1, "rank": 1}
    assert counters.totals[DAY] == {"clicks": 2, "claims": 1}


def test_a_batch_that_failed_half_way_adds_only_the_rest_when_handed_over_again(memory: Memory) -> None:
    """Over 99 codes take two transactions; the first commits, then the run dies. Handed over
    again (with more records behind it), the batch counts the second part and the new ones."""
    counters = Counters(memory)
    rollup = CounterRollup(counters)
    codes = [f"SPRING-{n:09d}" for n in range(120)]
    batch = claims(*codes)

    def die() -> None:
        memory.before("counters.apply", die_now)

    def die_now() -> None:
        raise TimeoutError("the function timed out")

    memory.before("counters.apply", die)  # the first chunk commits; the second one dies
    with pytest.raises(TimeoutError):
        rollup.roll_up("evt-1", batch)
    assert memory.writes == ["counters.apply"]
    longer = batch + claims("SPRING-000000000", start=1000)
    assert rollup.roll_up("evt-1", longer) == len(longer) - (MAX_TARGETS - 1)
    assert counters.totals[DAY]["claims"] == 121
    assert counters.totals[CodeCounters("SPRING-000000000")]["claims"] == 2
    assert all(counters.totals[CodeCounters(code)]["claims"] >= 1 for code in codes)


def test_no_transaction_touches_more_than_a_hundred_items(memory: Memory) -> None:
    counters = Counters(memory)
    seen = []
    real = counters.apply

    def apply(batch, after, upto, deltas):  # type: ignore[no-untyped-def]
        seen.append(len(deltas.targets) + 1)  # and the checkpoint
        return real(batch, after, upto, deltas)

    counters.apply = apply  # type: ignore[method-assign]
    CounterRollup(counters).roll_up("evt-1", claims(*[f"SPRING-{n:09d}" for n in range(150)]))
    assert len(seen) == 2 and max(seen) <= 100


def test_another_run_of_the_same_batch_getting_there_first_is_not_counted_again(memory: Memory) -> None:
    counters = Counters(memory)
    rollup = CounterRollup(counters)
    batch = clicks("SPRING-000000001", "SPRING-000000002")
    memory.before("counters.apply", lambda: CounterRollup(counters).roll_up("evt-1", batch))
    rollup.roll_up("evt-1", batch)
    assert counters.totals[DAY]["clicks"] == 2


def test_clicks_on_codes_nobody_holds_or_inactive_ones_are_not_counted(memory: Memory) -> None:
    from dataclasses import replace

    memory.referrers["SPRING-000000002"] = replace(memory.referrers["SPRING-000000002"], active=False)
    counters = Counters(memory)
    CounterRollup(counters).roll_up("evt-1", clicks("SPRING-000000001", "SPRING-000000002", "SPRING-NOBODY"))
    assert counters.totals[DAY]["clicks"] == 1
    assert set(counters.totals) == {DAY}  # a code's own clicks are counted on read, not here
