"""A viral code, replayed for a few simulated seconds (`passaparola bench viral` runs ten
minutes): 3,000 clicks a second through the real click handler and the real rollup on moto."""

import pytest

from passaparola_tools import viral

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_viral_code_throttles_no_key_and_loses_no_count():
    figures = viral.replay(seconds=2, rate=3000)
    key, _, wcu = figures.hottest
    assert wcu <= viral.LIMIT_WCU, f"{key} took {wcu} WCU in one second"
    assert figures.counted == figures.day_clicks == figures.distinct
    assert figures.distinct > 4000  # most clicks are new people; some came back
    assert abs(figures.estimate_error) < 3 * 0.0163
    # The click path: one PutItem per click, nothing else; the rest is the rollup's, per batch.
    assert figures.calls["PutItem"] == figures.clicks
    assert figures.calls["TransactWriteItems"] <= figures.batches
    # Without the design, the code's own item would have taken far more than it can.
    assert figures.old_hottest_wcu > viral.LIMIT_WCU
    assert figures.old_count_error < -0.5
