"""A code's clicks counted on read (domain.clicks): what its item has folded plus its visits of
later days, and when a read folds settled days into the item."""

from datetime import date, timedelta

import pytest

from passaparola.domain import clicks
from passaparola.domain.records import FoldedClicks

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 10)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_a_codes_clicks_are_its_folded_ones_and_its_later_visits() -> None:
    folded = FoldedClicks(5000, days_ago(10))
    assert clicks.total(folded, {days_ago(9): 3, TODAY: 2}) == 5005
    assert clicks.total(FoldedClicks(), {days_ago(9): 3, TODAY: 2}) == 5


def test_visits_of_days_already_folded_never_count_twice() -> None:
    assert clicks.total(FoldedClicks(5000, days_ago(10)), {days_ago(10): 700, days_ago(11): 1}) == 5000


def test_a_thousand_visits_on_days_settled_two_days_after_they_closed_are_folded() -> None:
    """The day before yesterday closed only yesterday at midnight: it is not settled yet."""
    later = {days_ago(3): 600, days_ago(4): 400, days_ago(2): 5000, TODAY: 10}
    assert clicks.fold(FoldedClicks(100, days_ago(9)), later, TODAY) == FoldedClicks(1100, days_ago(3))


def test_fewer_than_a_thousand_settled_visits_are_cheaper_to_read_again_than_to_fold() -> None:
    later = {days_ago(3): 999, days_ago(2): 100_000}
    assert clicks.fold(FoldedClicks(), later, TODAY) is None


def test_a_fold_keeps_the_total_a_read_would_give() -> None:
    later = {days_ago(30): 800, days_ago(5): 800, days_ago(1): 40}
    folded = clicks.fold(FoldedClicks(), later, TODAY)
    assert folded == FoldedClicks(1600, days_ago(3))
    assert clicks.total(folded, later) == clicks.total(FoldedClicks(), later) == 1640
