"""The whole path of a referral in a real browser (Debian's chromium, driven by Playwright)
against `passaparola serve`: enrol, share, click, land, claim, a signed order from a test
store, the worker issuing both rewards, and the stats page reached from the outbox email."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from passaparola.domain.people import MAX_NAME
from tests.support import poll

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
# A function's first request starts its sandbox (a cold start of a second or two on a busy
# machine); wait for what the page shows, with room for that.
expect.set_options(timeout=30_000)

XSS_NAME = "<img src=x onerror=alert(1)>"
PHONE = (
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def page(browser: Browser, local_stack: Any) -> Iterator[Page]:
    """A fresh page that fails the test on a dialog (an XSS alert) and records every request."""
    # Headless Chromium says "HeadlessChrome" in its user agent, and is rightly not counted as a
    # person; a visitor's phone says what a phone says.
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, user_agent=PHONE)
    opened = context.new_page()
    opened.requests = []  # type: ignore[attr-defined]
    opened.on("request", lambda request: opened.requests.append(request.url))  # type: ignore[attr-defined]
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    yield opened
    foreign = [u for u in opened.requests if not u.startswith((local_stack.url, "data:"))]  # type: ignore[attr-defined]
    context.close()
    assert foreign == [], f"requests to other origins: {foreign}"


def enrol_in_the_page(page: Page, url: str, email: str, name: str) -> str:
    page.goto(url)
    form = page.locator("form[data-enrol]")
    expect(form.locator("fieldset")).to_be_enabled()
    form.get_by_label(re.compile("email", re.IGNORECASE)).fill(email)
    form.locator("input[name=name]").fill(name)
    form.locator("[data-submit]").click()
    share = page.locator("[data-share]")
    expect(share).to_be_visible()
    link = share.locator("[data-share-link]")
    expect(link).to_have_value(re.compile(r"/r/[A-Z0-9]+-[A-Z0-9]{9}$"))
    return link.input_value()


@pytest.mark.slow
def test_the_whole_path_of_one_referral(page: Page, local_stack: Any) -> None:
    share_url = enrol_in_the_page(page, f"{local_stack.url}/en/club/", "nina@example.com", "Nina")
    code = share_url.rsplit("/", 1)[1]

    # the share panel: every channel the campaign chose, with the personal link in it, and the QR
    channels = page.locator("a[data-channel]")
    expect(channels.first).to_be_visible()
    hrefs = channels.evaluate_all("links => links.map(a => a.href)")
    assert hrefs, "no share buttons"
    assert all(code in href.replace("%2F", "/").replace("%3A", ":") for href in hrefs), hrefs
    page.locator("[data-qr-toggle]").click()
    expect(page.locator("img[data-qr]")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    page.locator("[data-share] [data-copy]").first.click()
    expect(page.locator("#share-link-club-feedback")).to_have_text(re.compile(r"\S"))  # visible feedback

    # the friend opens the personal link and lands on the page that names the referrer
    friend = page.context.new_page()
    friend.on("dialog", lambda dialog: pytest.fail(dialog.message))
    friend.goto(share_url)
    assert urlsplit(friend.url).path == "/en/club/welcome/"
    assert f"ref={code}" in friend.url
    expect(friend.locator("[data-heading]")).to_contain_text("Nina")
    claim = friend.locator("form[data-claim]")
    expect(claim.locator("fieldset")).to_be_enabled()
    claim.get_by_label(re.compile("email", re.IGNORECASE)).fill("omar@example.com")
    claim.locator("[data-submit]").click()
    expect(friend.locator("[data-claimed]")).to_be_visible()
    expect(friend.locator("[data-coupon-code]")).to_have_value(re.compile(r"^CLUB-"))
    coupon = friend.locator("[data-coupon-code]").input_value()

    # the friend is one tap from a link of their own: the invite page, their address filled in
    friend.locator("[data-join]").click()
    assert urlsplit(friend.url).path == "/en/club/"
    expect(friend.locator("form[data-enrol] input[name=email]")).to_have_value("omar@example.com")
    assert "#" not in friend.url  # read, then dropped from the address bar and the history
    friend.locator("form[data-enrol] [data-submit]").click()
    expect(friend.locator("[data-share] [data-share-link]")).to_have_value(re.compile(r"/r/CLUB-"))

    # the friend pays with their coupon at the local shop's checkout, which sends Stripe's signed
    # webhook; the worker issues the referrer's reward too
    checkout = page.context.new_page()
    checkout.goto(f"{local_stack.url}/_local/checkout/")
    checkout.get_by_label("Email").fill("omar@example.com")
    checkout.get_by_label("Amount").fill("24")
    checkout.get_by_label("Coupon code (optional)").fill(coupon)
    checkout.get_by_role("button", name="Pay").click()
    expect(checkout.locator("#outcome")).to_contain_text("Paid: order pi_local_")
    local_stack.mail_to("nina@example.com", "1 free month")
    local_stack.mail_to("omar@example.com", "€12 off")

    # the referrer opens the stats link from the outbox email, shown as a mail client shows it
    page.goto(f"{local_stack.url}/_local/")
    welcome = page.locator("article", has_text="nina@example.com").filter(has_text="referral link")
    welcome.scroll_into_view_if_needed()  # its HTML part loads once in view
    welcome.frame_locator("iframe").get_by_role("link", name="Open my private page").click()
    assert urlsplit(page.url).path == "/en/stats/"
    expect(page.locator("[data-figure=clicks]")).to_have_text("1")
    expect(page.locator("[data-figure=claims]")).to_have_text("1")
    expect(page.locator("[data-figure=conversions]")).to_have_text("1")
    rewards = page.locator("[data-rewards] li")
    expect(rewards).to_have_count(1)
    expect(rewards.first).to_contain_text("1 free month")


def test_a_name_full_of_markup_shows_as_text(page: Page, local_stack: Any) -> None:
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "spring", "email": "mallory@example.com", "name": XSS_NAME}
    )
    assert status == 201
    page.goto(f"{local_stack.url}/r/{enrolled['code']}")
    expect(page.locator("[data-heading]")).to_contain_text(XSS_NAME)
    assert page.locator("img[src='x']").count() == 0


def test_an_invalid_code_gets_a_friendly_page_and_the_plain_offer(page: Page, local_stack: Any) -> None:
    """The click path reads no code: one nobody holds lands with ?ref=, and the landing page
    learns from GET /codes/{code} that it is not valid."""
    page.goto(f"{local_stack.url}/r/SPRING-BCDFGHJKM")
    assert "ref=SPRING-BCDFGHJKM" in page.url
    invalid = page.locator("[data-invalid]")
    expect(invalid).to_be_visible()
    expect(page.locator("form[data-claim]")).to_be_hidden()
    expect(invalid.get_by_role("link").first).to_be_visible()


def test_unsubscribing_from_an_emails_link_asks_first_and_the_button_unsubscribes(
    page: Page, local_stack: Any
) -> None:
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "jo@example.com"})
    assert status == 201

    def referral(friend: str) -> None:
        local_stack.post("/claims", {"code": enrolled["code"], "email": friend})
        order = {
            "order_id": f"unsub-{friend.split('@', maxsplit=1)[0]}",
            "email": friend,
            "amount": "25",
            "currency": "EUR",
        }
        assert local_stack.store("/conversions", order)[1]["status"] == "queued"

    def reward_emails() -> list[dict[str, Any]]:
        return [
            m
            for m in local_stack.outbox()
            if m["to"] == ["jo@example.com"] and "1 free month" in m["subject"]
        ]

    referral("kim@example.com")
    poll(lambda: len(reward_emails()) == 1, timeout=20)
    page.goto(f"{local_stack.url}/_local/")
    mail = page.locator("article", has_text="jo@example.com").filter(has_text="Your reward from")
    mail.scroll_into_view_if_needed()  # its HTML part loads once in view
    mail.frame_locator("iframe").get_by_role("link", name="Unsubscribe from these emails").click()
    assert urlsplit(page.url).path == "/en/unsubscribe/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    button = page.get_by_role("button", name="Unsubscribe")
    expect(button).to_be_enabled()

    referral("lou@example.com")  # opening the page (a GET) unsubscribed no one: this one arrives
    poll(lambda: len(reward_emails()) == 2, timeout=20)

    button.click()
    expect(page.locator("[data-unsubscribe-status]")).to_have_text(
        "Done: you will get no more emails about “A free month of the Coffee Club”."
    )
    expect(page.locator("[data-unsubscribe-form]")).to_be_hidden()


def test_the_unsubscribe_page_without_a_token_says_where_to_open_it(page: Page, local_stack: Any) -> None:
    page.goto(f"{local_stack.url}/it/unsubscribe/")
    expect(page.locator("[data-unsubscribe-status]")).to_have_text(
        "Apri questa pagina dal link in fondo a una delle nostre email."
    )
    expect(page.locator("[data-unsubscribe-form]")).to_be_hidden()


def test_a_page_in_italian(page: Page, local_stack: Any) -> None:
    enrol_in_the_page(page, f"{local_stack.url}/it/spring/", "ugo@example.com", "Ugo")
    assert page.locator("html").get_attribute("lang") == "it"
    expect(page.locator("h1")).to_contain_text("Regala")
    mail = local_stack.mail_to("ugo@example.com", "link personale")
    assert "/it/stats/#t=" in mail["html"]


def test_claiming_with_an_address_that_has_claimed_says_the_gift_was_emailed(
    page: Page, local_stack: Any
) -> None:
    from passaparola import i18n

    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "pia@example.com"})
    assert status == 201
    status, first = local_stack.post("/claims", {"code": enrolled["code"], "email": "quinn@example.com"})
    assert first["friend_reward"]["coupon_code"]
    page.goto(f"{local_stack.url}/r/{enrolled['code']}")
    claim = page.locator("form[data-claim]")
    expect(claim.locator("fieldset")).to_be_enabled()
    claim.get_by_label(re.compile("email", re.IGNORECASE)).fill("quinn@example.com")
    claim.locator("[data-submit]").click()
    claimed = page.locator("[data-claimed]")
    expect(claimed).to_be_visible()
    expect(claimed.locator("[data-claimed-notice]")).to_have_text(
        i18n.text("en", "site.landing.claimed.emailed")
    )
    expect(claimed.locator("[data-coupon]")).to_be_hidden()
    expect(claimed.locator("[data-reward-pending]")).to_be_hidden()


def test_while_the_shop_is_down_the_page_says_the_code_comes_by_email_and_it_does(
    page: Page, local_stack: Any
) -> None:
    from passaparola import i18n

    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "rae@example.com"})
    assert status == 201
    assert local_stack.post("/_local/shop/fail", {"times": 1000})[0] == 200
    try:
        page.goto(f"{local_stack.url}/r/{enrolled['code']}")
        claim = page.locator("form[data-claim]")
        expect(claim.locator("fieldset")).to_be_enabled()
        claim.get_by_label(re.compile("email", re.IGNORECASE)).fill("sol@example.com")
        claim.locator("[data-submit]").click()
        claimed = page.locator("[data-claimed]")
        expect(claimed.locator("[data-coupon-pending]")).to_have_text(
            i18n.text("en", "site.landing.coupon.pending")
        )
        expect(claimed.locator("[data-coupon]")).to_be_hidden()
    finally:
        local_stack.post("/_local/shop/fail", {"times": 0})
    mail = local_stack.mail_to("sol@example.com", "welcome gift")  # the release schedule retries it
    status, _, raw = local_stack.get("/_local/shop.json")
    (held,) = [o for o in json.loads(raw)["objects"] if o.get("code") and o["code"] in mail["text"]]
    assert held["kind"] == "promotion_code"


# Every layout shift the page makes that no input caused (what CLS adds up), from the start.
RECORD_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    if (!entry.hadRecentInput) window.layoutShifts.push(entry.value);
  }
}).observe({ type: 'layout-shift', buffered: true });
"""
# The shifts once the page has drawn its last change (two frames on), and whether the page
# was first painted before the API's answer arrived: else nothing could have moved.
READ_SHIFTS = """
async (path) => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const painted = performance.getEntriesByName('first-contentful-paint')[0].startTime;
  const answer = performance.getEntriesByType('resource').find((r) => r.name.includes(path));
  const total = window.layoutShifts.reduce((a, b) => a + b, 0);
  return { total, paintedFirst: painted < answer.responseEnd };
}
"""
LONGEST_NAME = "Мария-Александра Константинопольская-Щукина"[:MAX_NAME]  # as long as a name may be


def on_a_phone_network(page: Page) -> None:
    """Record layout shifts, and answer slowly enough that the page is drawn before the API's
    answer comes back."""
    page.add_init_script(RECORD_SHIFTS)
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def layout_shift(page: Page, api_path: str) -> float:
    measured = page.evaluate(READ_SHIFTS, api_path)
    assert measured["paintedFirst"], "the answer came before the first paint; the test would prove nothing"
    total: float = measured["total"]
    return total


@pytest.mark.parametrize(
    ("lang", "name"), [("en", "Nina"), ("ru", LONGEST_NAME)], ids=["short name", "longest name"]
)
def test_the_landing_page_does_not_move_when_it_learns_who_invited_the_friend(
    page: Page, local_stack: Any, lang: str, name: str
) -> None:
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "spring", "email": f"cls-{lang}@example.com", "name": name, "locale": lang}
    )
    assert status == 201
    on_a_phone_network(page)
    page.goto(f"{local_stack.url}/{lang}/spring/welcome/?ref={enrolled['code']}&v=b")
    expect(page.locator("[data-heading]")).to_contain_text(name)
    expect(page.locator("form[data-claim] fieldset")).to_be_enabled()
    expect(page.locator("[data-variant=b]")).to_be_visible()
    assert layout_shift(page, "/codes/") < 0.001


def test_the_stats_page_does_not_move_when_the_figures_arrive(page: Page, local_stack: Any) -> None:
    status, _ = local_stack.post(
        "/referrers", {"campaign": "spring", "email": "cls-stats@example.com", "name": "Ida", "locale": "en"}
    )
    assert status == 201
    link = re.search(
        r'href="([^"]*#t=[^"]*)"', local_stack.mail_to("cls-stats@example.com", "referral link")["html"]
    )
    assert link
    on_a_phone_network(page)
    page.goto(html.unescape(link.group(1)))
    expect(page.locator("[data-stats-body]")).to_be_visible()
    expect(page.locator("[data-share-slot] [data-share-link]")).to_have_value(re.compile(r"/r/SPRING-"))
    assert layout_shift(page, "/referrers/me") < 0.001


def test_the_data_page_does_not_move_when_the_data_arrives(page: Page, local_stack: Any) -> None:
    status, _ = local_stack.post("/referrers", {"campaign": "club", "email": "cls-data@example.com"})
    assert status == 201
    stats = re.search(
        r"https?://\S+/en/stats/#t=[\w.-]+", local_stack.mail_to("cls-data@example.com", "")["text"]
    )
    assert stats
    on_a_phone_network(page)
    page.goto(stats[0].replace("/en/stats/#t=", "/en/my-data/#token="))
    expect(page.locator("[data-my-data-json]")).to_contain_text("cls-data@example.com")
    assert layout_shift(page, "/me") < 0.001


@pytest.mark.slow
def test_a_person_asks_for_their_data_downloads_it_and_deletes_it(page: Page, local_stack: Any) -> None:
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "mia@example.com"})
    assert status == 201
    page.goto(f"{local_stack.url}/en/my-data/")
    form = page.locator("form[data-my-data-ask]")
    expect(form.locator("fieldset")).to_be_enabled()
    form.get_by_label("Your email").fill("mia@example.com")
    form.get_by_role("button", name="Email me a link").click()
    expect(page.locator("[data-my-data-status]")).to_have_text(
        "If we hold anything about this address, a link is on its way to it. It works for an hour."
    )
    mail = local_stack.mail_to("mia@example.com", "Your data in")
    link = re.search(r"https?://\S+/en/my-data/#token=[\w.-]+", mail["text"])
    assert link, mail["text"]

    page.goto(link[0])
    expect(page.locator("[data-my-data-status]")).to_have_text(
        "Here is everything we hold about you, as we store it."
    )
    expect(page.locator("[data-my-data-json]")).to_contain_text(enrolled["code"])
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    assert enrolled["code"] in download.value.path().read_text(encoding="utf-8")

    delete = page.get_by_role("button", name="Delete my data")
    delete.click()  # not confirmed yet: the browser asks for the box first, and nothing is sent
    expect(page.locator("[data-my-data-body]")).to_be_visible()
    page.get_by_label("Yes, delete my data. This cannot be undone.").check()
    delete.click()
    expect(page.locator("[data-my-data-status]")).to_have_text("Done: your data is deleted.")
    status, _, raw = local_stack.get(f"/codes/{enrolled['code']}")  # an erased code is no code
    assert (status, json.loads(raw)["valid"]) == (404, False)


def test_the_stats_page_links_to_the_referrers_data_and_deletes_it_by_a_data_link(
    page: Page, local_stack: Any
) -> None:
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "noa@example.com"})
    assert status == 201
    code = enrolled["code"]
    welcome = local_stack.mail_to("noa@example.com", "")
    stats = re.search(r"https?://\S+/en/stats/#t=[\w.-]+", welcome["text"])
    assert stats, welcome["text"]
    page.goto(stats[0])
    page.get_by_role("link", name="Delete my data").click()
    assert urlsplit(page.url).path == "/en/my-data/"
    expect(page.locator("[data-my-data-json]")).to_contain_text("noa@example.com")
    expect(page.get_by_label("Yes, delete my data. This cannot be undone.")).to_be_focused()

    # A stats link deletes nothing itself: the page emails the data link, which does.
    page.get_by_label("Yes, delete my data. This cannot be undone.").check()
    page.get_by_role("button", name="Delete my data").click()
    expect(page.locator("[data-my-data-status]")).to_have_text(
        "To delete your data, open the link we have just emailed to noa@example.com: it works for an hour."
    )
    mail = local_stack.mail_to("noa@example.com", "Your data in")
    link = re.search(r"https?://\S+/en/my-data/#token=d\.[\w.-]+", mail["text"])
    assert link, mail["text"]
    assert json.loads(local_stack.get(f"/codes/{code}")[2])["valid"] is True  # nothing deleted yet
    page.goto(link[0])
    page.get_by_label("Yes, delete my data. This cannot be undone.").check()
    page.get_by_role("button", name="Delete my data").click()
    expect(page.locator("[data-my-data-status]")).to_have_text("Done: your data is deleted.")
    assert json.loads(local_stack.get(f"/codes/{code}")[2])["valid"] is False


def stats_link(local_stack: Any, email: str) -> str:
    welcome = local_stack.mail_to(email, "")
    found = re.search(r"https?://\S+/[a-z]{2}/stats/#t=[\w.-]+", welcome["text"])
    assert found, welcome["text"]
    return found[0]


def test_the_stats_page_shows_progress_the_limit_and_the_friends_by_first_name(
    page: Page, local_stack: Any
) -> None:
    """`spring`: a hoodie after 5 rewarded friends, at most 20, rewards held 14 days. One friend
    claims on the landing page with a full name, one through the API without a name, and the
    first one orders."""
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "spring", "email": "pam@example.com", "name": "Pam"}
    )
    assert status == 201
    code = enrolled["code"]
    page.goto(f"{local_stack.url}/r/{code}")
    claim = page.locator("form[data-claim]")
    expect(claim.locator("fieldset")).to_be_enabled()
    claim.get_by_label(re.compile("email", re.IGNORECASE)).fill("rosa@example.com")
    claim.get_by_label("Your name (optional)").fill("Rosa  Luxemburg")
    claim.locator("[data-submit]").click()
    expect(page.locator("[data-claimed]")).to_be_visible()
    assert local_stack.post("/claims", {"code": code, "email": "sid@example.com"})[0] == 201
    order = {"order_id": f"stats-{code}", "email": "rosa@example.com", "amount": "30", "currency": "EUR"}
    assert local_stack.store("/conversions", order)[0] == 202

    page.goto(stats_link(local_stack, "pam@example.com"))
    expect(page.locator("[data-progress-sentence]")).to_have_text(
        "5 more rewarded friends and this bonus is yours: An Acme Roasters hoodie."
    )
    expect(page.locator("[data-progress-count]")).to_have_text("0 of 5")
    assert page.locator("[data-progress-bar]").evaluate("bar => [bar.value, bar.max]") == [0, 5]
    expect(page.locator("[data-cap-rule]")).to_have_text("You can be rewarded for up to 20 friends.")
    expect(page.locator("[data-cap-used]")).to_have_text("Friends counted towards your limit: 1 of 20")
    expect(page.locator("[data-cap-reached]")).to_be_hidden()
    friends = page.locator("[data-friends] li")
    expect(friends).to_have_count(2)
    expect(friends.nth(0)).to_contain_text("A friend")
    expect(friends.nth(0)).to_contain_text("No order yet")
    expect(friends.nth(1)).to_contain_text("Rosa L.")
    due = datetime.now(UTC) + timedelta(days=14)  # the page's language is "en": US-style dates
    expect(friends.nth(1)).to_contain_text(f"Ordered: your reward comes on {due:%B} {due.day}, {due.year}")
    expect(page.locator("[data-stats-body]")).not_to_contain_text("Luxemburg")
    expect(page.locator("[data-share-slot] [data-share-link]")).to_have_value(re.compile(r"/r/SPRING-"))


def test_the_leaderboard_is_joined_and_left_with_a_tick(page: Page, local_stack: Any) -> None:
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "club", "email": "uma@example.com", "name": "Uma Thurman"}
    )
    assert status == 201
    assert local_stack.post("/claims", {"code": enrolled["code"], "email": "vic@example.com"})[0] == 201
    page.goto(stats_link(local_stack, "uma@example.com"))
    form = page.locator("form[data-board-form]")
    expect(form.locator("fieldset")).to_be_enabled()
    expect(page.locator("[data-board] li", has_text="Uma")).to_have_count(0)  # nobody is on it unasked
    form.get_by_label("Show me on the leaderboard").check()
    form.get_by_role("button", name="Save").click()
    expect(form.locator("[data-board-saved]")).to_have_text("You are on the leaderboard.")
    mine = page.locator("[data-board] li[data-you]")
    expect(mine).to_contain_text("Uma T. (you)")
    expect(mine).to_contain_text("1 friend")
    expect(page.locator("[data-board-own]")).to_have_text(re.compile(r"^Your place: \d+$"))
    expect(form.locator("#board-name")).to_have_value("Uma T.")

    page.reload()  # the choice is kept: the page opens with it
    expect(page.locator("[data-board] li[data-you]")).to_contain_text("Uma T.")
    expect(form.get_by_label("Show me on the leaderboard")).to_be_checked()
    form.get_by_label("Show me on the leaderboard").uncheck()
    form.get_by_role("button", name="Save").click()
    expect(form.locator("[data-board-saved]")).to_have_text("You are no longer on the leaderboard.")
    expect(page.locator("[data-board] li", has_text="Uma")).to_have_count(0)
    expect(page.locator("[data-board-own]")).to_be_hidden()


@pytest.mark.slow
def test_at_the_limit_the_page_says_so_instead_of_offering_the_link(page: Page, local_stack: Any) -> None:
    status, enrolled = local_stack.post("/referrers", {"campaign": "spring", "email": "wes@example.com"})
    assert status == 201
    code = enrolled["code"]
    for n in range(20):  # spring rewards 20 friends at most
        friend = f"cap{n}-{code.lower()}@example.com"
        assert local_stack.post("/claims", {"code": code, "email": friend})[0] == 201
        order = {"order_id": f"cap-{code}-{n}", "email": friend, "amount": "25", "currency": "EUR"}
        assert local_stack.store("/conversions", order)[1]["status"] in ("queued", "review")
    page.goto(stats_link(local_stack, "wes@example.com"))
    reached = page.locator("[data-cap-reached]")
    expect(reached).to_be_visible()
    expect(reached).to_contain_text("so you earn no more rewards in it")
    expect(reached).to_contain_text("friends who have already accepted keep their gift")
    expect(page.locator("[data-cap-used]")).to_have_text("Friends counted towards your limit: 20 of 20")
    expect(page.locator("[data-friends] li")).to_have_count(20)
    assert page.locator("[data-share-slot] [data-share]").count() == 0
    # and the link itself says so to a friend who opens it
    page.goto(f"{local_stack.url}/r/{code}")
    expect(page.locator("[data-invalid-reason]")).to_have_text(
        "This invitation has already been used by as many friends as it allows."
    )


def test_a_page_on_another_origin_cannot_make_the_browser_post_to_the_api(
    browser: Browser, local_stack: Any, shop_sites: Any
) -> None:
    """What a site elsewhere would try: a no-cors fetch, which needs no preflight, with a Blob
    body and so no Content-Type, to each public POST route. Nothing is written or sent."""
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "xs.ref@example.com"})
    assert status == 201
    owner = "owner@acme-roasters.example"  # the sample brand's admin
    targets = {
        "/referrers": {"campaign": "club", "email": "xs.victim@example.com"},
        "/claims": {"code": enrolled["code"], "email": "xs.friend@example.com"},
        "/me/link": {"email": "xs.ref@example.com"},
        "/admin/sign-in": {"email": owner},
        "/admin/sessions": {"token": "t" * 40},
    }
    to_owner = sum(m["to"] == [owner] for m in local_stack.outbox())
    to_ref = local_stack.mail_to("xs.ref@example.com", "")  # the welcome mail, before the page
    context = browser.new_context()
    try:
        page = context.new_page()
        # The unlisted shop's page lets scripts and fetches reach the stack's origin (its CSP).
        page.goto(f"{shop_sites.unlisted}/?{urlencode({'widget': f'{local_stack.url}/none.js'})}")
        sent = page.evaluate(
            """async ([api, targets]) => {
                let sent = 0;
                for (const [path, body] of Object.entries(targets)) {
                    await fetch(api + path, {method: 'POST', mode: 'no-cors',
                                             body: new Blob([JSON.stringify(body)])});
                    sent += 1;
                }
                return sent;
            }""",
            [local_stack.url, targets],
        )
    finally:
        context.close()
    assert sent == len(targets)
    # Requests sent after them, as the page sends them, are answered and mailed (the link one
    # from the link queue): theirs would be by now.
    control = "xs.control@example.com"
    assert local_stack.post("/referrers", {"campaign": "club", "email": control})[0] == 201
    assert local_stack.post("/me/link", {"email": control})[0] == 202
    poll(lambda: sum(m["to"] == [control] for m in local_stack.outbox()) == 2, timeout=20)
    mails = local_stack.outbox()
    assert not [m for m in mails if m["to"] in (["xs.victim@example.com"], ["xs.friend@example.com"])]
    assert [m for m in mails if m["to"] == ["xs.ref@example.com"]] == [to_ref]
    assert sum(m["to"] == [owner] for m in mails) == to_owner
