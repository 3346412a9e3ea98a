"""The compact click rules (domain/click_rules.py) say what the full rules say about every code
prefix: its campaign, landing languages, variants and state on any day, so the click function
redirects as it did when it read the campaign models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from passaparola.domain.click_rules import ClickRules, campaign_state
from passaparola.storage.click_rules import read_click_rules
from passaparola_build import content
from passaparola_build.rules import compile_rules, write_rules
from tests.support import FIXTURE_CONTENT, ROOT

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("root", [ROOT / "content", FIXTURE_CONTENT], ids=["content", "fixtures"])
def test_the_compact_rules_agree_with_the_full_rules(root, tmp_path):
    rules = compile_rules(content.load(root))
    write_rules(rules, tmp_path / "rules.json")
    compact = ClickRules.loads((tmp_path / "rules.clicks.json").read_bytes())
    assert compact == rules.click_rules()
    assert len(compact.by_prefix) == len(rules.campaigns)
    days = {datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n) for n in range(0, 800, 7)}
    for campaign in rules.campaigns.values():
        days |= {
            datetime.combine(d, datetime.min.time(), UTC)
            for d in (campaign.rules.starts, campaign.rules.ends)
            if d
        }
    for prefix, full in rules._by_prefix.items():
        code = f"{prefix}-7KQMX2R9P"
        found = compact.campaign_for_code(code)
        assert found is not None
        assert (found.slug, found.languages, found.variants) == (
            full.rules.slug,
            full.languages,
            full.variants,
        )
        for day in days:
            for moment in (day - timedelta(microseconds=1), day, day + timedelta(hours=23)):
                assert found.state_at(moment) == full.rules.state_at(moment)
    assert compact.campaign_for_code("NOPE-7KQMX2R9P") is None


def test_rules_without_click_rules_beside_them_are_read_whole(tmp_path):
    rules = compile_rules(content.load(FIXTURE_CONTENT))
    write_rules(rules, tmp_path / "rules.json")
    (tmp_path / "rules.clicks.json").unlink()
    assert read_click_rules(tmp_path / "rules.json") == rules.click_rules()


def test_a_paused_campaign_is_paused_whatever_its_dates():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert campaign_state("paused", None, None, now) == "paused"
    assert campaign_state("active", now.date() + timedelta(days=1), None, now) == "not_started"
    assert campaign_state("active", None, now.date() - timedelta(days=1), now) == "ended"
    assert campaign_state("active", now.date(), now.date(), now) == "active"
