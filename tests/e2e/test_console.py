"""The business's console in Chromium against `passaparola serve`: signed in by the link the
outbox holds, it shows the figures the test's own referrals add up to, gives a reward, decides
a review and downloads CSV files that parse, under the site's CSP and at a phone's width."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from passaparola import i18n
from tests.support import poll

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=30_000)

ADMIN = "owner@acme-roasters.example"  # content/brands/acme.yaml's admins
CLICKS, CLAIMS, ORDERS = 12, 6, 4  # on spring, by one referrer the test enrols
SHARED_ADDRESS = "7 Rue des Tests, 75011 Paris"


@pytest.fixture
def console(browser: Browser, local_stack: Any) -> Iterator[Page]:
    """A phone-sized page that records what its console says (a CSP violation is an error)."""
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    opened = context.new_page()
    opened.errors = []  # type: ignore[attr-defined]
    opened.on(
        "console",
        lambda m: m.type == "error" and opened.errors.append(f"{m.text} {m.location.get('url')}"),  # type: ignore[attr-defined]
    )
    opened.on("pageerror", lambda e: opened.errors.append(str(e)))  # type: ignore[attr-defined]
    yield opened
    context.close()


def admin_json(local_stack: Any, path: str) -> Any:
    status, _, body = local_stack.get(path, {"authorization": f"Bearer {local_stack.admin_key}"})
    assert status == 200, body
    return json.loads(body)


def funnel(local_stack: Any) -> dict[str, Any]:
    report = admin_json(local_stack, "/campaigns/spring/report")
    figures: dict[str, Any] = {key: report["funnel"][key] for key in ("clicks", "claims", "orders")}
    for variant in report["variants"]:
        figures |= {f"{variant['id']}_{key}": variant[key] for key in ("clicks", "claims", "orders")}
    return figures


def settled(local_stack: Any) -> dict[str, Any]:
    """The funnel once the stream roll-up has caught up with what earlier tests did: the same
    on two reads in a row."""
    reads: list[dict[str, Any]] = []

    def steady() -> dict[str, Any] | None:
        reads.append(funnel(local_stack))
        return reads[-1] if len(reads) > 1 and reads[-1] == reads[-2] else None

    found: dict[str, Any] = poll(steady, timeout=30, every=1)
    return found


def click(local_stack: Any, code: str, visitor: int) -> str:
    """One visitor's click (a browser of its own); the variant its redirect chose."""
    parts = urlsplit(local_stack.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    agent = f"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.{visitor}"
    connection.request("GET", f"/r/{code}", headers={"user-agent": agent})
    answer = connection.getresponse()
    assert answer.status == 302
    variant = parse_qs(urlsplit(answer.getheader("location") or "").query)["v"][0]
    connection.close()
    return variant


def order(local_stack: Any, order_id: str, email: str, **extra: str) -> str:
    status, answer = local_stack.store(
        "/conversions", {"order_id": order_id, "email": email, "amount": "30.00", "currency": "EUR"} | extra
    )
    assert status == 202, answer
    result: str = answer["status"]
    return result


def sign_in(page: Page, local_stack: Any) -> None:
    page.goto(f"{local_stack.url}/en/admin/")
    form = page.locator("form[data-signin-form]")
    expect(form.locator("fieldset")).to_be_enabled()
    form.get_by_label(i18n.text("en", "site.admin.signin.email")).fill(ADMIN)
    form.locator("[data-submit]").click()
    expect(page.locator("[data-admin-status]")).to_have_text(i18n.text("en", "site.admin.signin.sent"))
    local_stack.mail_to(ADMIN, "sign-in link")
    # the email, read in the outbox (a mail client of its own, in another tab)
    inbox = page.context.new_page()
    inbox.goto(f"{local_stack.url}/_local/")
    mail = inbox.locator("article", has_text=ADMIN).filter(has_text="sign-in link").first
    mail.scroll_into_view_if_needed()  # its HTML part loads once in view
    link = mail.frame_locator("iframe").get_by_role("link", name="Sign in").get_attribute("href")
    inbox.close()
    assert link and "/en/admin/#signin=" in link
    page.goto(link)
    expect(page.locator("[data-console]")).to_be_visible()
    assert urlsplit(page.url).path == "/en/admin/" and not urlsplit(page.url).fragment  # the token is gone
    expect(page.locator("[data-signed-in]")).to_have_text(f"Signed in as {ADMIN}")


@pytest.mark.slow
def test_the_console_shows_a_campaigns_figures_gives_a_reward_and_decides_a_review(
    console: Page, local_stack: Any
) -> None:
    before = settled(local_stack)

    # spring: one referrer, 12 visitors, 6 of them claim (with the variant their click chose),
    # 4 of those order
    status, referrer = local_stack.post(
        "/referrers", {"campaign": "spring", "email": "console-ref@example.com"}
    )
    assert status == 201
    variants = [click(local_stack, referrer["code"], n) for n in range(CLICKS)]
    friends = [f"console-friend{n}@example.com" for n in range(CLAIMS)]
    for friend, variant in zip(friends, variants, strict=False):
        status, _ = local_stack.post(
            "/claims", {"code": referrer["code"], "email": friend, "variant": variant}
        )
        assert status == 201
    for n, friend in enumerate(friends[:ORDERS]):
        assert order(local_stack, f"console-{n}", friend) == "queued"
    expected = dict(before)
    expected["clicks"] += CLICKS
    expected["claims"] += CLAIMS
    expected["orders"] += ORDERS
    for key, seeded in (("clicks", variants), ("claims", variants[:CLAIMS]), ("orders", variants[:ORDERS])):
        for variant, n in Counter(seeded).items():
            expected[f"{variant}_{key}"] += n
    poll(lambda: funnel(local_stack) == expected, timeout=30, every=0.5)

    # club: a friend's order issues a free month for the business to give; another friend
    # orders with the referrer's own shipping address and is held for review
    status, club = local_stack.post("/referrers", {"campaign": "club", "email": "console-club@example.com"})
    assert status == 201
    for friend in ("console-gift@example.com", "console-shared@example.com"):
        assert local_stack.post("/claims", {"code": club["code"], "email": friend})[0] == 201
    assert order(local_stack, "console-gift", "console-gift@example.com") == "queued"
    assert order(local_stack, "console-own", "console-club@example.com", address=SHARED_ADDRESS) == "rejected"
    assert (
        order(local_stack, "console-shared", "console-shared@example.com", address=SHARED_ADDRESS) == "review"
    )

    def given() -> dict[str, Any] | None:
        listed = admin_json(local_stack, "/rewards?status=issued&fulfilled=false&campaign=club")["items"]
        return next((r for r in listed if r["owner"]["code"] == club["code"]), None)

    reward = poll(given, timeout=30)
    waiting = next(
        r
        for r in admin_json(local_stack, "/reviews?status=waiting")["items"]
        if r["order_id"] == "console-shared"
    )

    page = console
    # The report the console opens with (its first campaign's) is held until spring's, chosen
    # after it, is shown: answering last, it must not replace spring's figures.
    held: list[Route] = []
    page.route(
        re.compile(r"/campaigns/[^/]+/report"),
        lambda route: route.continue_() if "/campaigns/spring/" in route.request.url else held.append(route),
    )
    sign_in(page, local_stack)
    page.select_option("#range-campaign", "spring")
    page.locator("form[data-range] [data-submit]").click()
    for key in ("clicks", "claims", "orders"):
        expect(page.locator(f"[data-figure={key}]")).to_have_text(f"{expected[key]:,}")
    assert held, "the console asked for no report before spring's"
    for route in held:
        route.continue_()
    rows = page.locator("[data-table=variants] tbody tr")
    expect(rows).to_have_count(2)
    for row, variant in zip(rows.all(), ("a", "b"), strict=True):
        cells = [f"{expected[f'{variant}_{key}']:,}" for key in ("clicks", "claims", "orders")]
        expect(row.locator("th, td")).to_have_text(
            [variant, *cells, re.compile("."), re.compile("."), re.compile("."), re.compile(".")]
        )
    own = page.locator("[data-table=top] tbody tr", has_text=referrer["code"])
    expect(own.locator("td")).to_have_text([f"{CLICKS}", f"{CLAIMS}", f"{ORDERS}"])
    daily = page.locator("[data-table=daily] tbody tr")
    expect(daily).to_have_count(30)
    expect(page.locator("[data-chart] canvas")).to_be_visible()

    # the free month, given and marked with a reference
    item = page.locator(f"[data-fulfil] li[data-reward='{reward['id']}']")
    item.get_by_label(i18n.text("en", "site.admin.fulfil.reference")).fill("credit note 77")
    item.get_by_role("button", name=i18n.text("en", "site.admin.fulfil.button")).click()
    expect(item.locator("[data-done]")).to_have_text("Marked fulfilled: credit note 77")
    assert given() is None

    # the shared address: rejected, recorded as the admin's decision
    item = page.locator(f"[data-review] li[data-review='{waiting['conversion_id']}']")
    expect(item).to_contain_text(i18n.text("en", "site.admin.reason.shared_address"))
    item.get_by_role("button", name=i18n.text("en", "site.admin.review.reject")).click()
    expect(item.locator("[data-done]")).to_have_text(i18n.text("en", "site.admin.review.done.reject"))
    status, decided = local_stack.post(
        f"/reviews/{waiting['conversion_id']}",
        {"decision": "approve"},
        {"authorization": f"Bearer {local_stack.admin_key}"},
    )
    assert (status, decided["decision"], decided["decided_by"]) == (200, "reject", ADMIN)  # the first stands

    # CSV files, fetched with the session and saved
    with page.expect_download() as report_download:
        page.get_by_role("button", name=i18n.text("en", "site.admin.download.report")).click()
    report_rows = list(csv.DictReader(io.StringIO(report_download.value.path().read_text(encoding="utf-8"))))
    clicks_row = next(r for r in report_rows if (r["section"], r["metric"]) == ("funnel", "clicks"))
    assert int(clicks_row["value"]) == expected["clicks"]
    with page.expect_download() as referrals_download:
        page.get_by_role("button", name=i18n.text("en", "site.admin.download.referrals")).click()
    assert referrals_download.value.suggested_filename.startswith("spring-referrals-")
    referrals = list(csv.DictReader(io.StringIO(referrals_download.value.path().read_text(encoding="utf-8"))))
    assert {r["friend_email"] for r in referrals} >= set(friends)

    # the held report has long answered since: spring's figures still stand
    for key in ("clicks", "claims", "orders"):
        expect(page.locator(f"[data-figure={key}]")).to_have_text(f"{expected[key]:,}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_a_used_sign_in_link_says_so_and_offers_a_new_one(console: Page, local_stack: Any) -> None:
    console.goto(f"{local_stack.url}/fr/admin/#signin=not-a-token")
    expect(console.locator("[data-admin-status]")).to_have_text(i18n.text("fr", "site.admin.signin.invalid"))
    assert not urlsplit(console.url).fragment
    expect(console.locator("[data-signin]")).to_be_visible()
    expect(console.locator("[data-console]")).to_be_hidden()
    # Chromium logs the refused trade (a 401) itself; nothing else went wrong
    assert [e for e in console.errors if "401" not in e] == []  # type: ignore[attr-defined]
    assert len(console.errors) == 1  # type: ignore[attr-defined]
