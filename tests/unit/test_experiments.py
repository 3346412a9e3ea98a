"""A/B statistics against scipy: the pooled two-proportion z-test is Pearson's chi-square test
of the 2x2 table without continuity correction (z squared is chi-square, the p-values agree)."""

import math

import pytest
from scipy.stats import chi2_contingency

from passaparola.domain import experiments
from passaparola.domain.experiments import Arm

pytestmark = pytest.mark.unit

# (baseline clicks, orders), (variant clicks, orders): small, even, lopsided and large samples.
TABLE = [
    ((100, 5), (100, 10)),
    ((1000, 50), (1000, 50)),
    ((1000, 50), (1000, 70)),
    ((2400, 31), (2380, 52)),
    ((150, 3), (90, 9)),
    ((50_000, 1_000), (50_000, 1_100)),
    ((10, 1), (12, 11)),
]


@pytest.mark.parametrize(("baseline", "variant"), TABLE)
def test_the_p_value_is_scipys(baseline, variant):
    table = [[variant[1], variant[0] - variant[1]], [baseline[1], baseline[0] - baseline[1]]]
    expected = chi2_contingency(table, correction=False).pvalue
    assert experiments.p_value(Arm(*variant), Arm(*baseline)) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_rate_and_lift_are_per_click_and_relative_to_the_baseline():
    result = experiments.compare(Arm(clicks=1000, orders=60), Arm(clicks=1000, orders=50))
    assert result.order_rate == 0.06
    assert result.lift == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("arm", "baseline", "enough"),
    [
        (Arm(100, 5), Arm(100, 5), True),
        (Arm(99, 5), Arm(100, 5), False),
        (Arm(100, 4), Arm(100, 5), False),
        (Arm(5000, 400), Arm(100, 4), False),  # the baseline is short of orders
    ],
)
def test_there_is_enough_data_only_with_100_clicks_and_5_orders_in_each_arm(arm, baseline, enough):
    assert experiments.compare(arm, baseline).enough_data is enough


def test_nothing_is_made_up_where_the_figures_say_nothing():
    assert experiments.compare(Arm(0, 0), Arm(100, 5)).order_rate is None
    assert experiments.p_value(Arm(0, 0), Arm(100, 5)) is None
    assert experiments.lift(Arm(100, 5), Arm(100, 0)) is None  # no baseline rate to compare with
    assert experiments.p_value(Arm(100, 0), Arm(100, 0)) is None  # no variance at all
    assert not math.isnan(experiments.p_value(Arm(100, 100), Arm(100, 99)) or 0)
