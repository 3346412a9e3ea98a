"""The invite panel on a shop's own page, in Chromium: a page on another loopback origin, under
a strict CSP and a careless stylesheet, embeds /widget.js from the local stack with the
buyer's email, enrols them, and shows their working personal link; a page on an origin no
brand lists is refused by CORS before anything is sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from passaparola import i18n
from passaparola_build.content import load
from passaparola_pages.share import PLACEHOLDER, share_href
from tests.support import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=30_000)


@dataclass
class Shop:
    page: Page
    console: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture
def shop(browser: Browser) -> Iterator[Shop]:
    context = browser.new_context(locale="it-IT")
    opened = Shop(context.new_page())
    opened.page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    opened.page.on("pageerror", lambda error: opened.console.append(f"pageerror: {error}"))
    opened.page.on("request", lambda r: opened.requests.append((r.method, r.url)))
    opened.page.on("requestfailed", lambda r: opened.failed.append(f"{r.method} {r.url}"))
    yield opened
    context.close()


def confirmation_page(origin: str, stack: Any, email: str, lang: str = "it") -> str:
    query = {"widget": f"{stack.url}/widget.js", "campaign": "spring", "lang": lang, "email": email}
    return f"{origin}/?{urlencode(query)}"


def test_a_shops_page_embeds_the_panel_which_enrols_the_buyer_and_shows_a_working_link(
    shop: Shop, local_stack: Any, shop_sites: Any
) -> None:
    page = shop.page
    page.goto(confirmation_page(shop_sites.listed, local_stack, "bruno.widget@example.com", lang="it-IT"))
    spring_it = load(ROOT / "content").campaigns["spring"].copies["it"]
    panel = page.locator("section.pp")  # Playwright's locators see into the open shadow root
    expect(panel.get_by_role("heading", level=2).first).to_have_text(spring_it.title)
    assert panel.get_attribute("lang") == "it"
    email = panel.get_by_label(i18n.text("it", "site.form.email"))
    expect(email).to_have_value("bruno.widget@example.com")  # filled in by the shop's data-email

    # The shop's stylesheet reaches none of it: the brand's colours, and every field shown.
    submit = panel.get_by_role("button", name=i18n.text("it", "site.invite.form.submit"))
    assert submit.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(138, 59, 18)"  # #8a3b12
    assert submit.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
    expect(email).to_be_visible()

    submit.click()
    link = panel.get_by_label(i18n.text("it", "site.share.link"))
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/r/SPRING-[A-Z0-9]{9}$"))
    share_url = link.input_value()
    focused = page.evaluate("document.activeElement.shadowRoot.activeElement.textContent")
    assert focused == i18n.text("it", "site.share.title")  # focus moved to the panel's heading
    expect(email).to_be_hidden()

    # Every share button is the network's own URL with the personal link, as on the invite page.
    message, subject = spring_it.share_message, spring_it.email_subject
    for anchor in panel.locator("a[data-channel]").all():
        channel = anchor.get_attribute("data-channel")
        expected = share_href(channel, message or "", subject or "").replace(
            PLACEHOLDER, quote(share_url, safe="")
        )
        assert unquote(anchor.get_attribute("href") or "") == unquote(expected), channel
    assert panel.locator("a[data-channel]").count() == 7

    qr = panel.get_by_role("button", name=i18n.text("it", "site.share.qr"))
    qr.click()
    expect(qr).to_have_attribute("aria-expanded", "true")
    expect(panel.get_by_role("img")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    panel.get_by_role("button", name=i18n.text("it", "site.share.copy")).click()
    expect(panel.get_by_role("status").first).to_have_text(re.compile(r"\S"))  # said to screen readers

    # The link works: the friend lands on the campaign's Italian page, invited.
    friend = page.context.new_page()
    friend.goto(share_url)
    assert urlsplit(friend.url).path == "/it/spring/welcome/"
    assert f"ref={share_url.rsplit('/', 1)[1]}" in friend.url
    local_stack.mail_to("bruno.widget@example.com", "link personale")  # and the link went by email

    # Two requests of ours: the script, and one POST /referrers (after its preflight); no
    # other origin's, and not a word in the console under the shop's strict CSP.
    ours = [(method, url) for method, url in shop.requests if url.startswith(local_stack.url)]
    assert ours == [("GET", f"{local_stack.url}/widget.js"), ("POST", f"{local_stack.url}/referrers")]
    others = {urlsplit(url).netloc for _, url in shop.requests} - {
        urlsplit(shop_sites.listed).netloc,
        urlsplit(local_stack.url).netloc,
        "",  # data: URIs (the QR)
    }
    assert others == set()
    assert shop.console == []
    assert shop.failed == []


def test_a_page_on_an_origin_no_brand_lists_is_refused_by_cors(
    shop: Shop, local_stack: Any, shop_sites: Any
) -> None:
    page = shop.page
    page.goto(confirmation_page(shop_sites.unlisted, local_stack, "refused.buyer@example.com", lang="en"))
    panel = page.locator("section.pp")
    panel.get_by_role("button", name=i18n.text("en", "site.invite.form.submit")).click()
    expect(panel.get_by_role("alert")).to_have_text(i18n.text("en", "site.error.network"))
    # The browser's fetch failed on the preflight, so the POST was never sent: had it been,
    # the enrolment (and its welcome email, sent before the answer) would be done by now.
    assert shop.failed == [f"POST {local_stack.url}/referrers"]
    assert [m for m in local_stack.outbox() if m["to"] == ["refused.buyer@example.com"]] == []
    assert any("CORS" in line for line in shop.console), shop.console


def test_serve_prints_the_origins_whose_pages_may_embed_the_panel(local_stack: Any, shop_sites: Any) -> None:
    printed = (local_stack.state / "serve.log").read_text().splitlines()
    assert (
        f"Shop origins {shop_sites.listed} https://shop.acme-roasters.example (may embed /widget.js)"
        in printed
    )
