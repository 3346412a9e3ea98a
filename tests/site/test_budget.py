"""Each page type stays within 30 KB (HTML + CSS + JS + API answers with the QR code, gzipped)
and 5 requests; the business's console, with its chart library, within 60 KB and 8 requests.
A size check on the built files: nothing here is timed."""

from __future__ import annotations

import pytest

from passaparola_tools import site_budget

pytestmark = pytest.mark.site


def test_every_page_type_is_within_budget(sample_site):
    weights = site_budget.heaviest_by_kind(sample_site)
    assert set(weights) == {"index", "invite", "landing", "stats", "unsubscribe", "my_data", "terms", "admin"}
    for kind, weight in weights.items():
        assert weight.within_budget, kind
        if kind != "admin":
            assert weight.total <= site_budget.BUDGET_BYTES and weight.requests <= site_budget.BUDGET_REQUESTS
    # The console alone loads the chart library: no visitor's page pays for it.
    assert weights["admin"].requests == 8  # page, 2 stylesheets, 2 scripts, 3 lists
    # The QR code travels inside the answers: bytes, not a request.
    assert weights["invite"].api > 0 and weights["invite"].requests == 4  # page, CSS, JS, enrol


def test_the_shops_invite_panel_is_one_script_within_10_kb(sample_site):
    widget = site_budget.weigh_widget(sample_site)
    print(f"\n/widget.js: {widget.script} bytes gzipped, its answer with the QR {widget.answer}")
    assert 0 < widget.script <= site_budget.WIDGET_BUDGET_BYTES
    assert widget.within_budget
    table, within = site_budget.report(sample_site)
    assert within
    assert f"script {widget.script / 1024:.1f}K" in table
