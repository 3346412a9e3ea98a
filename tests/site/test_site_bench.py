"""The benchmark's synthetic site: valid campaigns, each with words of its own (so no two
share pictures match and the cold cache is really cold), written outside content/."""

from __future__ import annotations

import pytest

from passaparola import i18n
from passaparola_build import content
from passaparola_tools import site_bench


@pytest.mark.unit
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


@pytest.mark.unit
def test_plain_pelican_gets_as_many_one_paragraph_articles_where_its_defaults_look(tmp_path):
    root = site_bench.plain_content(tmp_path, 7)
    articles = sorted(root.glob("*.md"))
    assert len(articles) == 7
    assert root.name == "content"
    assert not (root.parent / "pelicanconf.py").exists()  # Pelican's defaults, no settings file
    first = articles[0].read_text(encoding="utf-8")
    assert first.startswith("Title: Article 0\nDate: 2026-11-01 10:00\n")


@pytest.mark.site
def test_plain_pelican_with_its_defaults_writes_every_article(tmp_path):
    root = site_bench.plain_content(tmp_path, 3)
    timing = site_bench.build_plain(root, tmp_path / "output")
    assert timing.cpu > 0 and timing.wall > 0  # the child's processor time, besides the wall
    for number in range(3):
        assert (tmp_path / "output" / f"article-{number:04d}.html").is_file()


@pytest.mark.site
def test_our_side_is_passaparola_site_with_the_rules_and_an_empty_cache(tmp_path):
    ours = site_bench.synthetic_content(tmp_path, campaigns=1)
    cache, rules = tmp_path / "cache", tmp_path / "rules.json"
    site_bench.build_ours(ours, tmp_path / "site", cache, rules)
    assert rules.is_file()
    assert len(list((cache / "share-pictures").glob("*.png"))) == 10  # 5 languages, 2 cards each
    assert site_bench.html_files(tmp_path / "site") > 10
