"""The visitor sketch (HyperLogLog, precision 12) against exact counts."""

import zlib

import pytest

from passaparola.domain import sketch

pytestmark = pytest.mark.unit

# 1.04 / sqrt(4096) = 1.6% standard error; three of them bound every case below.
TOLERANCE = 3 * 1.04 / 64


def _of(items):
    found = sketch.empty()
    for item in items:
        found = sketch.add(found, item)
    return found


def test_an_empty_sketch_counts_nobody():
    assert sketch.estimate(sketch.empty()) == 0


@pytest.mark.parametrize("exact", [1, 10, 100, 1_000, 5_000, 20_000, 100_000])
def test_the_estimate_is_within_three_standard_errors_of_the_exact_count(exact):
    estimate = sketch.estimate(_of(f"visitor-{exact}-{i}" for i in range(exact)))
    assert abs(estimate - exact) <= max(1, TOLERANCE * exact), (exact, estimate)


def test_small_counts_are_exact_enough_to_show_as_is():
    for exact in (1, 2, 3, 7, 20):
        assert round(sketch.estimate(_of(f"v{i}" for i in range(exact)))) == exact


def test_the_same_visitor_twice_counts_once():
    once = _of(["anna"])
    assert sketch.add(once, "anna") == once


def test_merging_days_counts_a_visitor_of_both_days_once():
    monday = _of(f"v{i}" for i in range(0, 3000))
    tuesday = _of(f"v{i}" for i in range(2000, 5000))  # 1,000 came both days
    both = sketch.estimate(sketch.merge(monday, tuesday))
    assert abs(both - 5000) <= TOLERANCE * 5000
    assert sketch.merge(monday, tuesday) == sketch.merge(tuesday, monday)
    assert sketch.merge(monday, monday) == monday


def test_a_merge_is_the_sketch_of_the_union():
    assert sketch.merge(_of(["a", "b"]), _of(["c"])) == _of(["a", "b", "c"])


def test_the_stored_form_round_trips_and_a_quiet_day_takes_a_few_bytes():
    day = _of(f"v{i}" for i in range(50))
    stored = sketch.to_bytes(day)
    assert sketch.from_bytes(stored) == day
    assert len(stored) < 200
    busy = sketch.to_bytes(_of(f"v{i}" for i in range(100_000)))
    assert len(busy) < 2500  # so a year of busy days still fits one 1 MB query page


@pytest.mark.parametrize("stored", [b"", b"\x02abc", b"\x01not zlib", b"\x01" + zlib.compress(b"x")])
def test_anything_else_is_not_a_stored_sketch(stored):
    with pytest.raises(ValueError, match="not a stored visitor sketch"):
        sketch.from_bytes(stored)
