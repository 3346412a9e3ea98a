"""Reading a Lighthouse report: a page kept out of search engines on purpose is not held to
an SEO score, and any other miss is named by its audit."""

from __future__ import annotations

from typing import Any

import pytest

from passaparola_tools.lighthouse import CATEGORIES, Target, read_report

pytestmark = pytest.mark.unit


def report(scores: dict[str, float], failing: dict[str, str]) -> dict[str, Any]:
    """A report's shape as Lighthouse 12 writes it: categories of weighted audit refs."""
    audits = {"is-crawlable": {"score": 1}, "cumulative-layout-shift": {"score": 1, "numericValue": 0.0}}
    audits |= {audit: {"score": 0} for audit in failing.values()}
    categories = {
        name: {
            "score": scores.get(name, 1.0),
            "auditRefs": [{"id": a, "weight": 1} for c, a in failing.items() if c == name],
        }
        for name in CATEGORIES
    }
    return {"audits": audits, "categories": categories}


LANDING = Target("landing", "en", "/en/spring/welcome/?ref=SPRING-7KQMX2R9P")


def test_a_noindex_page_is_perfect_without_the_seo_points_noindex_costs():
    result = read_report(report({"seo": 0.69}, {"seo": "is-crawlable"}), LANDING)
    assert result.noindex
    assert result.scores["seo"] == 69
    assert result.perfect


def test_a_layout_shift_keeps_a_page_from_perfect_and_is_named():
    shifted = report({"performance": 0.95}, {"performance": "cumulative-layout-shift"})
    shifted["audits"]["cumulative-layout-shift"]["numericValue"] = 0.141
    result = read_report(shifted, LANDING)
    assert not result.perfect
    assert result.misses == {"performance": ["cumulative-layout-shift"]}
    assert result.layout_shift == pytest.approx(0.141)
