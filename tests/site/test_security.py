"""What the pages may load and run: a CSP without 'unsafe-inline' in every page, scripts and
styles only in files, nothing from another origin than the site and the API, and values from
the API or the URL never parsed as HTML."""

from __future__ import annotations

import re

import pytest

from passaparola_build import site_policy
from tests.site.helpers import ROOT, edit, page, site_paths_built

THEME = ROOT / "site" / "theme" / "static"


@pytest.mark.unit
def test_the_policy_allows_only_the_site_and_the_api():
    header = site_policy.content_security_policy("https://api.acme-roasters.example/")
    directives = dict(d.split(" ", 1) for d in header.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self' https://api.acme-roasters.example"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in header
    meta = site_policy.meta_policy("https://api.acme-roasters.example/")
    assert meta == header.replace("; frame-ancestors 'none'", "")


@pytest.mark.unit
@pytest.mark.parametrize(
    "bad", ["ftp://api.example.com", "api.example.com", "https://", "https://a@evil.example"]
)
def test_a_malformed_api_url_is_refused(bad):
    with pytest.raises(ValueError, match="API URL"):
        site_policy.api_origin(bad)


@pytest.mark.site
def test_every_page_carries_the_policy_first_and_nothing_inline(sample_site):
    for path, soup in site_paths_built(sample_site).items():
        head = list(soup.head.find_all(True, recursive=False))
        assert head[0].name == "meta" and head[0].has_attr("charset"), path
        assert head[1]["http-equiv"] == "Content-Security-Policy", "before anything it governs"
        assert head[1]["content"] == site_policy.meta_policy(""), path
        assert not soup.find("style") and not soup.select("[style]"), path
        for script in soup.find_all("script"):
            assert script.has_attr("src") or script["type"] == "application/json", path
        for tag in soup.find_all(True):
            handlers = [name for name in tag.attrs if name.startswith("on")]
            assert not handlers, f"{path}: <{tag.name} {handlers}>"


@pytest.mark.site
def test_nothing_is_fetched_from_another_origin(sample_site):
    for path, soup in site_paths_built(sample_site).items():
        fetched = [link["href"] for link in soup.select("link[rel=stylesheet], link[rel=icon]")]
        fetched += [tag["src"] for tag in soup.select("script[src], img[src]")]
        for url in fetched:
            assert url.startswith(("/", "data:")) and not url.startswith("//"), f"{path}: {url}"
        assert soup.select_one("meta[name=passaparola-api]")["content"] == ""
    stylesheet = next((sample_site / "assets").glob("acme.*.css")).read_text()
    assert "@import" not in stylesheet and "url(" not in stylesheet, "no fonts or images from anywhere"
    script = next((sample_site / "assets").glob("site.*.js")).read_text()
    assert not re.search(r"https?://[a-z0-9]", script), "the script talks to the site and the API only"


@pytest.mark.site
def test_an_api_on_another_origin_is_named_in_the_policy(build):
    site = build(PASSAPAROLA_API_URL="https://abc123.execute-api.eu-west-1.amazonaws.com")
    soup = page(site, "/en/spring/")
    policy = soup.select_one("meta[http-equiv=Content-Security-Policy]")["content"]
    assert "connect-src 'self' https://abc123.execute-api.eu-west-1.amazonaws.com;" in policy
    assert soup.select_one("meta[name=passaparola-api]")["content"] == (
        "https://abc123.execute-api.eu-west-1.amazonaws.com"
    )


@pytest.mark.unit
def test_the_script_never_parses_data_as_html():
    script = (THEME / "site.js").read_text()
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        "srcdoc",
    ):
        assert sink not in script, sink
    # Values go in as text, and {placeholders} are filled with a function (no `$&` expansion).
    assert ".textContent = " in script and "replace(/\\{(\\w+)\\}/g, (whole, key)" in script


@pytest.mark.site
def test_campaign_words_are_escaped_by_the_templates(build, tree):
    hostile = "<img src=x onerror=alert(1)>"
    edit(tree / "campaigns/club.md", "title: A free month of the Coffee Club", f'title: "{hostile}"')
    edit(tree / "brands/acme.yaml", "name: Acme Roasters", 'name: Acme "Roasters" <b>')
    site = build(tree)
    soup = page(site, "/en/club/")
    assert soup.h1.get_text() == hostile
    assert not soup.select("img[onerror]") and not soup.select("b")
    assert soup.select_one("meta[property='og:site_name']")["content"] == 'Acme "Roasters" <b>'


@pytest.mark.site
def test_small_brand_images_are_inlined_and_big_ones_served_from_the_site(build, tree):
    logo = tree / "brands" / "acme" / "logo.svg"
    logo.write_text(logo.read_text().replace("</svg>", "<!--" + "x" * 5000 + "--></svg>"))
    soup = page(build(tree), "/en/spring/")
    assert soup.select_one("link[rel=icon]")["href"].startswith("data:image/svg+xml,")
    src = soup.select_one(".brand img")["src"]
    assert re.fullmatch(r"/assets/acme-logo\.[0-9a-f]{10}\.svg", src)
