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
    assert concentrated.wcu_per_click < shared.wcu_per_click < tail.wcu_per_click
