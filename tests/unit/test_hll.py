"""The visitors' HyperLogLog sketches (domain.hll): close enough, mergeable, idempotent."""

from __future__ import annotations

import pytest

from passaparola.domain import hll

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("count", [0, 1, 10, 1_000, 50_000])
def test_the_estimate_is_within_three_standard_errors(count: int) -> None:
    registers = hll.empty()
    hll.add(registers, (f"visitor-{n}" for n in range(count)))
    assert abs(hll.estimate(registers) - count) <= max(1, 3 * 0.0163 * count)


def test_adding_a_visitor_again_changes_nothing() -> None:
    registers = hll.empty()
    assert hll.add(registers, ["anna", "marco"])
    before = bytes(registers)
    assert not hll.add(registers, ["marco", "anna"])
    assert bytes(registers) == before


def test_merged_days_estimate_the_visitors_of_both() -> None:
    monday, tuesday = hll.empty(), hll.empty()
    hll.add(monday, (f"v{n}" for n in range(3_000)))
    hll.add(tuesday, (f"v{n}" for n in range(2_000, 6_000)))
    both = bytearray(monday)
    assert hll.merge(both, tuesday)
    assert abs(hll.estimate(both) - 6_000) <= 3 * 0.0163 * 6_000
    assert not hll.merge(both, monday)  # merging again is harmless


def test_a_sketch_survives_storage_and_a_quiet_one_is_small() -> None:
    registers = hll.empty()
    hll.add(registers, ["anna"])
    blob = hll.encode(registers)
    assert len(blob) < 100
    assert hll.decode(blob) == registers
    assert hll.decode(None) == hll.empty()


def test_a_sketch_of_the_wrong_size_is_refused() -> None:
    import zlib

    with pytest.raises(ValueError, match="4096"):
        hll.decode(zlib.compress(b"\0" * 10))
