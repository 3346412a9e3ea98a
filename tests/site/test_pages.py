"""The build writes every page at the address the functions link to, in every language, with
lang, hreflang, a language switcher, link-preview meta and words formatted by locale."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from passaparola import i18n, site_paths
from passaparola.domain import vocabulary
from passaparola.domain.campaign import Rules
from passaparola_build import content
from passaparola_build.rules import compile_rules
from passaparola_pages.generator import STAMP
from tests.site.helpers import ROOT, SAMPLE, page, run_pelican, site_paths_built

pytestmark = pytest.mark.site


def campaign_languages() -> dict[str, list[str]]:
    loaded = content.load(SAMPLE)
    return {
        slug: [lang for lang in i18n.LANGUAGES if lang in c.copies] for slug, c in loaded.campaigns.items()
    }


def test_every_page_is_at_its_site_path(sample_site):
    expected = {site_paths.home()}
    for lang in i18n.LANGUAGES:
        expected |= {
            site_paths.home(lang),
            site_paths.stats(lang),
            site_paths.unsubscribe(lang),
            site_paths.my_data(lang),
            site_paths.admin(lang),
        }
    for slug, languages in campaign_languages().items():
        for lang in languages:
            expected |= {
                site_paths.invite(slug, lang),
                site_paths.landing(slug, lang),
                site_paths.terms(slug, lang),
            }
    assert set(site_paths_built(sample_site)) == expected


def test_each_page_says_its_language_and_links_its_translations(sample_site):
    languages = campaign_languages()
    for path, soup in site_paths_built(sample_site).items():
        lang, _, rest = path.strip("/").partition("/")
        lang = lang or i18n.DEFAULT
        assert soup.html["lang"] == lang, path
        slug = rest.split("/")[0]
        if slug in languages:
            others = languages[slug]
            default = content.load(SAMPLE).campaigns[slug].default_lang
            expected = {other: path.replace(f"/{lang}/", f"/{other}/", 1) for other in others}
            expected["x-default"] = path.replace(f"/{lang}/", f"/{default}/", 1)
        else:  # the index and stats pages exist in every language
            suffix = f"{rest}/" if rest else ""
            expected = {other: f"/{other}/{suffix}" for other in i18n.LANGUAGES}
            expected["x-default"] = f"/{i18n.DEFAULT}/{suffix}" if rest else "/"
        alternates = {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")}
        assert alternates == expected, path
        switcher = {a["hreflang"]: a["href"] for a in soup.select("nav.languages a")}
        if len(expected) == 2:  # one language and x-default: nothing to switch to
            assert not switcher, path
            continue
        assert switcher == {k: v for k, v in expected.items() if k != "x-default"}, path
        assert soup.select_one("nav.languages a[aria-current=page]")["hreflang"] == lang, path


def test_absolute_links_when_the_site_url_is_known(build):
    site = build(SITEURL="https://refer.acme-roasters.example")
    soup = page(site, "/it/spring/")
    assert soup.select_one("link[rel=canonical]")["href"] == "https://refer.acme-roasters.example/it/spring/"
    hreflang = soup.select_one("link[hreflang=fr]")["href"]
    assert hreflang == "https://refer.acme-roasters.example/fr/spring/"
    image = soup.select_one("meta[property='og:image']")["content"]
    assert image.startswith("https://refer.acme-roasters.example/assets/spring.it.invite.")


@pytest.mark.parametrize(("path", "kind"), [("/en/spring/", "invite"), ("/ru/spring/welcome/", "landing")])
def test_link_previews_have_open_graph_and_twitter_cards_with_a_real_picture(sample_site, path, kind):
    soup = page(sample_site, path)
    meta = {m.get("property") or m.get("name"): m["content"] for m in soup.select("meta[content]")}
    assert meta["og:title"] and meta["og:description"] and meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == meta["twitter:image"]
    assert f".{kind}." in meta["og:image"]
    with Image.open(sample_site / meta["og:image"].lstrip("/")) as picture:
        assert picture.format == "PNG"
        assert picture.size == (int(meta["og:image:width"]), int(meta["og:image:height"])) == (1200, 630)
    assert meta["og:locale"] == {"en": "en_US", "ru": "ru_RU"}[soup.html["lang"]]


def test_the_landing_page_names_the_offer_and_carries_the_ab_variants(sample_site):
    soup = page(sample_site, "/en/spring/welcome/")
    assert soup.select_one("h1[data-heading]").get_text() == "A friend gives you 10% off"
    assert soup.select_one("[data-landing]")["data-variants"] == "a b"
    variants = soup.select("[data-variant]")
    assert [v["data-variant"] for v in variants] == ["a", "b"]
    assert [v.has_attr("data-unchosen") for v in variants] == [False, True]
    assert soup.select_one("meta[name=robots]")["content"] == "noindex"


def test_rewards_in_big_type_and_three_steps_on_the_invite_page(sample_site):
    soup = page(sample_site, "/it/spring/")
    offers = [spaced(v.get_text()) for v in soup.select(".offer-value")]
    assert offers == ["10 € di credito in negozio", "10% di sconto"]
    steps = soup.select("ol.steps > li")
    assert len(steps) == 3
    assert "10% di sconto" in steps[1].get_text() and "10 € di credito" in spaced(steps[2].get_text())
    assert soup.select_one("form[data-enrol]")["data-campaign"] == "spring"
    assert soup.select_one("[data-share][hidden]"), "the share panel waits for the personal link"


@pytest.mark.parametrize(
    ("lang", "money", "day"),
    [
        ("en", "€20", "March 1, 2026"),
        ("it", "20 €", "1 marzo 2026"),
        ("fr", "20 €", "1 mars 2026"),
        ("pl", "20 €", "1 marca 2026"),
        ("ru", "20 €", "1 марта 2026 г."),  # noqa: RUF001 - Cyrillic, the abbreviation of "year"
    ],
)
def test_money_and_dates_are_formatted_for_the_language(sample_site, lang, money, day):
    rules = " ".join(li.get_text() for li in page(sample_site, f"/{lang}/spring/").select(".conditions li"))
    assert spaced(money) in spaced(rules)
    assert spaced(day) in spaced(rules)


def spaced(text: str) -> str:
    """Babel keeps a number and its unit together with no-break spaces; compare words only."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_terms_page_has_the_rules_at_a_glance_and_the_full_terms(sample_site):
    soup = page(sample_site, "/fr/spring/terms/")
    assert spaced(soup.h1.get_text()) == "Conditions : Offrez 10 %, recevez 10 €"
    assert len(soup.select(".conditions li")) >= 5
    assert "sweat à capuche" in soup.select_one(".prose").get_text()


def test_the_index_lists_every_campaign_with_untranslated_ones_in_their_own_language(sample_site):
    soup = page(sample_site, "/pl/")
    listed = {a["href"]: a["hreflang"] for a in soup.select(".campaigns h2 a")}
    assert listed == {"/en/club/": "en", "/pl/spring/": "pl"}
    club = soup.select_one(".campaigns li[lang=en]")
    assert "darmowy miesiąc" in club.get_text(), "the rewards are still described in Polish"


def test_a_campaign_that_has_ended_shows_why_instead_of_the_form(build):
    site = build(PASSAPAROLA_BUILD_TIME=datetime(2031, 1, 1, tzinfo=UTC))
    soup = page(site, "/en/spring/")
    assert soup.select_one("form[data-enrol]") is None
    assert "ended on December 31, 2030" in soup.select_one(".notice").get_text()


def test_the_build_writes_the_campaign_rules(build, tmp_path):
    rules_path = tmp_path / "rules.json"
    build(PASSAPAROLA_RULES_PATH=str(rules_path))
    written = Rules.model_validate_json(rules_path.read_bytes())
    assert written == compile_rules(content.load(SAMPLE))


def test_the_plain_pelican_command_builds_the_sample(tmp_path):
    """`pelican` as Pelican users run it, from site/, with its settings file found by name."""
    import subprocess
    import sys

    out = tmp_path / "output"
    finished = subprocess.run(
        [sys.executable, "-m", "pelican", "-o", str(out), "-e", "PASSAPAROLA_RULES_PATH=null"],
        cwd=SAMPLE.parent / "site",
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert (out / "en" / "spring" / "welcome" / "index.html").is_file()


def test_the_landing_script_gets_its_words_with_the_placeholders_it_fills(sample_site):
    texts = json.loads(page(sample_site, "/it/spring/welcome/").select_one("script#texts").get_text())
    assert texts["gift"] == "{name} ti regala {offer}"
    assert texts["offer"] == "10% di sconto"
    assert texts["invalid"]["expired"] == i18n.text("it", "site.landing.invalid.expired")
    assert texts["errors"]["self_referral"] == i18n.text("it", "site.error.self_referral")


def test_a_not_found_page_offers_every_language(sample_site):
    soup = BeautifulSoup((sample_site / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == i18n.text("en", "site.notfound.title")
    assert soup.select_one("meta[name=robots]")["content"] == "noindex"
    assert not soup.select("link[rel=canonical], link[hreflang]")
    assert [a["href"] for a in soup.select("nav.languages a")] == [f"/{lang}/" for lang in i18n.LANGUAGES]


def test_every_reward_kind_and_campaign_state_builds(build):
    """The backend's test campaigns: cash, gifts, free months, quotas, a revenue share, a
    campaign paused and one ended."""
    site = build(ROOT / "tests" / "fixtures" / "content")
    assert "paused" in page(site, "/en/paused/").select_one(".notice").get_text()
    assert "ended on December 31, 2020" in page(site, "/en/ended/").select_one(".notice").get_text()
    offers = [v.get_text() for v in page(site, "/en/share/").select(".offer-value")]
    assert offers == ["15% of what your friend spends for 12 months"]
    signup = page(site, "/en/signup/")
    assert "for each friend who accepts your invitation" in signup.select_one(".offer-note").get_text()
    assert signup.select_one("h1").get_text() == "500 MB each"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_unsubscribe_page_asks_and_only_its_button_posts(sample_site, lang):
    soup = page(sample_site, site_paths.unsubscribe(lang))
    assert soup.html["lang"] == lang
    assert soup.body["data-page"] == "unsubscribe"
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup.h1.get_text() == i18n.text(lang, "site.unsubscribe.title")
    form = soup.select_one("form[data-unsubscribe-form]")
    # no action and no GET: the page's script sends the one-click POST when the button is pressed
    assert not form.has_attr("action") and not form.has_attr("method")
    assert form.select_one("button[type=submit]").get_text() == i18n.text(lang, "site.unsubscribe.button")
    texts = json.loads(soup.select_one("#texts").get_text())
    assert texts["campaigns"]["spring"] == content.load(SAMPLE).campaigns["spring"].copies[lang].title
    assert texts["errors"]["invalid_token"] == i18n.text(lang, "site.unsubscribe.invalid")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_console_is_out_of_search_engines_and_draws_with_a_library_from_our_own_origin(sample_site, lang):
    soup = page(sample_site, site_paths.admin(lang))
    assert (soup.html["lang"], soup.body["data-page"]) == (lang, "admin")
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup.h1.get_text() == i18n.text(lang, "site.admin.title")
    scripts = [script["src"] for script in soup.select("script[src]")]
    assert [src.split("/")[-1].split(".")[0] for src in scripts] == ["uPlot", "admin"]
    assert all(src.startswith("/assets/") for src in scripts)
    assert (
        (sample_site / "assets" / "uPlot.iife.min.js.LICENSE.txt").read_text().startswith("The MIT License")
    )
    # the campaigns to pick from, in the page's language where the campaign has it
    loaded = content.load(SAMPLE)
    options = {o["value"]: o.get_text() for o in soup.select("#range-campaign option")}
    assert options["spring"] == loaded.campaigns["spring"].copies[lang].title
    assert set(options) == set(loaded.campaigns)
    texts = json.loads(soup.select_one("#texts").get_text())
    assert set(texts["reasons"]) == set(vocabulary.REASONS)
    assert texts["reasons"]["shared_address"] == i18n.text(lang, "site.admin.reason.shared_address")


def test_the_rules_at_a_glance_show_the_gift_in_the_pages_language_and_count_from_the_claim(sample_site):
    italian = page(sample_site, "/it/spring/").get_text(" ")
    assert "Bonus dopo 5 amici premiati: una felpa Acme Roasters." in italian
    assert "hoodie" not in italian
    assert "da quando ha accettato il tuo invito" in italian
    english = page(sample_site, "/en/spring/").get_text(" ")
    assert (
        "Your friend's order counts if it is placed within 30 days of accepting your invitation." in english
    )
    assert "clicking" not in english
    assert "толстовка Acme Roasters" in page(sample_site, "/ru/spring/").get_text(" ")


def test_the_email_logo_is_published_where_the_rules_say(sample_site):
    logo = compile_rules(content.load(SAMPLE)).brands["acme"].letterhead_logo
    assert logo is not None
    published = sample_site / logo.path.lstrip("/")
    assert published.read_bytes() == (SAMPLE / "brands/acme/email-logo.png").read_bytes()
    with Image.open(published) as image:
        assert image.size == (2 * logo.width, 2 * logo.height)  # drawn at twice the size it is shown


@pytest.mark.site
def test_a_build_over_an_earlier_one_leaves_only_its_own_files(tree, tmp_path):
    output = tmp_path / "output"
    first = {p.relative_to(output) for p in run_pelican(tree, output, OUTPUT_RETENTION=[".git"]).rglob("*")}
    (output / "en" / "gone").mkdir()
    (output / "en" / "gone" / "index.html").write_text("a campaign since removed")
    (output / "assets" / "site.0000000000.js").write_text("an old fingerprint")
    (output / ".git").mkdir()
    (output / ".git" / "HEAD").write_text("kept: Pelican's OUTPUT_RETENTION")
    (tree / "campaigns" / "club.md").unlink()

    run_pelican(tree, output, OUTPUT_RETENTION=[".git"])
    after = {p.relative_to(output) for p in output.rglob("*")}
    assert (output / ".git" / "HEAD").is_file()
    after -= {Path(".git"), Path(".git/HEAD")}
    assert not (output / "en" / "gone").exists()
    assert not (output / "assets" / "site.0000000000.js").exists()
    assert not (output / STAMP).exists()
    assert after < first
    assert {p for p in first - after if p.name == "index.html"}
    assert all("club" in str(p) for p in first - after if p.suffix == ".html")
