"""The benchmark's synthetic site: valid campaigns, each with words of its own (so no two
share pictures match and the cold cache is really cold), written outside content/."""

from __future__ import annotations

import pytest

from passaparola import i18n
from passaparola_build import content
from passaparola_tools import site_bench

pytestmark = pytest.mark.unit


def test_the_generated_campaigns_are_valid_and_each_shows_its_own_words(tmp_path):
    root = site_bench.synthetic_content(tmp_path, campaigns=3)
    assert root.is_relative_to(tmp_path)
    loaded = content.load(root)
    assert sorted(loaded.campaigns) == ["spring-01", "spring-02", "spring-03"]
    for campaign in loaded.campaigns.values():
        assert sorted(campaign.copies) == sorted(i18n.LANGUAGES)
    titles = {c.copies["ru"].title for c in loaded.campaigns.values()}
    offers = {
        i18n.describe(c.rules.friend_reward, "en") for c in loaded.campaigns.values() if c.rules.friend_reward
    }
    assert len(titles) == len(offers) == 3


def test_plain_pelican_gets_as_many_one_paragraph_pages(tmp_path):
    root = site_bench.plain_content(tmp_path, 7)
    pages = sorted((root / "pages").glob("*.md"))
    assert len(pages) == 7
    assert pages[0].read_text(encoding="utf-8").startswith("Title: Page 0\n")
