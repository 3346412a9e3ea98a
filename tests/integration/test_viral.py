"""A viral code, replayed for a simulated second (`passaparola bench viral` runs ten minutes):
3,000 clicks in it through the real click handler and the real rollup on moto, three times
what one DynamoDB partition takes in a second."""

import pytest

from passaparola_tools import viral

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_viral_code_throttles_no_key_and_loses_no_count():
    figures = viral.replay(seconds=1, rate=3000)
    key, _, wcu = figures.hottest
    assert wcu <= viral.LIMIT_WCU, f"{key} took {wcu} WCU in one second"
    # The code's clicks, read from its visits, and the campaign's day: one per visitor.
    assert figures.counted == figures.day_clicks == figures.distinct
    assert figures.distinct > 2000  # most clicks are new people; some came back
    assert abs(figures.estimate_error) < 3 * 0.0163
    # The click path: one PutItem per click, nothing else; the rest is the rollup's, per batch.
    assert figures.calls["PutItem"] == figures.clicks
    assert figures.calls["TransactWriteItems"] <= figures.batches
    assert "UpdateItem" not in figures.calls
    # A code's visits spread over its eight shards: the busiest takes about an eighth of them.
    _, _, visit_wcu = figures.hottest_by_kind["VISIT"]
    assert visit_wcu < 3000 / 4
    # Once the day has settled, a read folds the visits into the code with one write; the
    # next read is the code's item and eight empty queries.
    assert figures.settled.clicks == figures.after_fold.clicks == figures.distinct
    assert figures.settled.calls.get("UpdateItem") == 1
    assert figures.after_fold.calls == {"GetItem": 1, "Query": 8}
    assert figures.exact
    # Without the design, the code's own item would have taken far more than it can.
    assert figures.old_hottest_wcu > viral.LIMIT_WCU
    assert figures.old_count_error < -0.5
