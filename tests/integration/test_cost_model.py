"""The README's cost table is `passaparola cost`'s output, measured afresh on moto."""

import re

import pytest

from passaparola_tools import cost
from tests.support import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def measured():
    return cost.measure(cost.settings(cost.cfn.load()))


def test_the_readmes_cost_table_is_the_cost_commands_output(measured):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- cost: the output of ./passaparola cost -->\n(.*?)\n<!-- end of cost -->", readme, re.S
    )
    assert found, "the README lost its cost table's markers"
    assert found.group(1) == cost.table(measured=measured), (
        "run ./passaparola cost and paste its table into the README"
    )


def test_a_counted_click_measures_one_put_of_one_unit_and_logs_nothing(measured):
    assert (measured.calls, measured.wcu, measured.log_bytes) == (("PutItem",), 1.0, 0)
    assert 100 < measured.answer_bytes < 400
    concentrated, shared, tail = measured.rollups
    assert concentrated.wcu_per_click <= shared.wcu_per_click <= tail.wcu_per_click


def test_the_long_tail_of_clicks_costs_at_most_two_dollars_ten_a_million(measured):
    """Each click alone on its code in its rollup batch: the rollup writes no code item for
    it (a code's clicks are counted on read), so what is left is the campaign day's share of a
    batch and a half-unit read of the code, to know it counts."""
    _, scenarios = cost.model(cost.settings(cost.cfn.load()), measured)
    (_, _, viral), (_, _, shared), (_, _, tail) = scenarios
    assert tail <= 2.10
    assert measured.rollups[2].wcu_per_click < 0.05
    assert viral <= shared <= tail


def test_a_stats_view_reads_the_code_its_eight_shards_and_the_leaderboard_once_each(measured):
    assert measured.stats_calls == ("Query",) * 10
    assert measured.stats_rru == 5.0
