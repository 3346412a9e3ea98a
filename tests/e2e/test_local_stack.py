"""`passaparola serve` end to end over HTTP: pages, API, worker, schedule, outbox, test store."""

import json
import re
import subprocess
import sys

import pytest

from tests.support import BROWSER, ROOT, poll

pytestmark = pytest.mark.e2e


def test_the_site_and_the_api_share_one_port(local_stack):
    status, headers, body = local_stack.get("/")
    assert status == 200
    assert "text/html" in headers["Content-Type"]
    assert "Content-Security-Policy" in headers
    status, _, body = local_stack.get("/openapi.json")
    assert status == 200
    assert b'"/conversions"' in body


def test_the_whole_path_of_one_referral_over_http(local_stack):
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "club", "email": "ada@example.com", "name": "Ada"}
    )
    assert status == 201
    code = enrolled["code"]
    status, _, _ = local_stack.get(f"/r/{code}", headers={"user-agent": BROWSER})
    assert status == 200  # urllib follows the 302 to the landing page, which the same port serves
    status, claim = local_stack.post("/claims", {"code": code, "email": "bob@example.com"})
    assert status == 201
    assert claim["friend_reward"]["status"] == "issued"
    # The coupon shown is live in the shop the stack plays (`--shop stripe`), with the campaign's terms.
    status, _, raw = local_stack.get("/_local/shop.json")
    shop = json.loads(raw)
    (held,) = [o for o in shop["objects"] if o.get("code") == claim["friend_reward"]["coupon_code"]]
    assert (shop["platform"], held["kind"], held["amount"], held["currency"]) == (
        "stripe", "promotion_code", "12.00", "EUR",
    )  # fmt: skip
    assert (held["usage_limit"], held["active"], held["used"]) == (1, True, False)
    status, converted = local_stack.store(
        "/conversions",
        {"order_id": f"o-{code}", "email": "bob@example.com", "amount": "25", "currency": "EUR"},
    )
    assert (status, converted["status"]) == (202, "queued")
    # the worker polls the queue in the background: wait for the reward email, not for a fixed time
    mail = local_stack.mail_to("ada@example.com", "1 free month")
    assert "/en/stats/#t=" in mail["html"]
    welcome = local_stack.mail_to("ada@example.com", "referral link")
    token = re.search(r"#t=([^\"&<]+)", welcome["html"]).group(1)

    def counted() -> dict | None:  # the counters follow the table's stream, moments later
        status, _, raw = local_stack.get("/referrers/me", headers={"authorization": f"Bearer {token}"})
        body = json.loads(raw)
        return (
            body if (status, body["clicks"], body["claims"], body["conversions"]) == (200, 1, 1, 1) else None
        )

    body = poll(counted, timeout=20)
    assert [r["status"] for r in body["rewards"]] == ["issued"]


def test_the_test_store_page_signs_and_sends_orders(local_stack):
    status, _, page = local_stack.get("/_local/")
    assert status == 200
    assert b"Test store" in page
    assert b"Outbox" in page


def test_the_test_store_form_sends_a_signed_order(local_stack):
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "dee@example.com"})
    assert status == 201
    local_stack.post("/claims", {"code": enrolled["code"], "email": "eve@example.com"})
    import urllib.parse
    import urllib.request

    form = urllib.parse.urlencode(
        {
            "kind": "conversion",
            "order_id": "form-1",
            "email": "eve@example.com",
            "amount": "30",
            "currency": "EUR",
        }
    ).encode()
    request = urllib.request.Request(local_stack.url + "/_local/store", data=form)
    with urllib.request.urlopen(request, timeout=30) as answer:  # follows the redirect back to the page
        page = answer.read().decode()
    assert "202" in page
    assert "queued" in page
    poll(lambda: local_stack.mail_to("dee@example.com", "1 free month"), timeout=20)


def test_the_test_store_form_signs_a_review_decision(local_stack):
    import urllib.parse
    import urllib.request

    form = urllib.parse.urlencode(
        {"kind": "review", "conversion_id": "cv_000000000000000000000000", "decision": "approve"}
    ).encode()
    request = urllib.request.Request(local_stack.url + "/_local/store", data=form)
    with urllib.request.urlopen(request, timeout=30) as answer:
        page = answer.read().decode()
    assert "404" in page  # signed and checked: no such review, rather than a 401
    assert "not_found" in page


def test_serve_prints_each_url_whole_on_a_line_that_starts_with_its_name(local_stack):
    printed = (local_stack.state / "serve.log").read_text()
    url = re.escape(local_stack.url)
    named = (("Site", "/"), ("API", ""), ("OpenAPI", "/openapi.json"), ("Outbox", "/_local/"))
    for name, path in (*named, ("Checkout", "/_local/checkout/")):
        assert re.search(rf"^{name} +{url}{re.escape(path)}(\s|$)", printed, re.MULTILINE), name
    assert not re.search(r"[│╭╰]", printed), "a border in the banner would be copied with what it frames"


def test_serve_prints_each_platforms_dev_secret_on_a_line_of_its_own(local_stack):
    printed = (local_stack.state / "serve.log").read_text()
    for platform, name in (("stripe", "Stripe"), ("shopify", "Shopify"), ("woocommerce", "WooCommerce")):
        secret = local_stack.platform_secrets[platform]
        assert re.search(rf"^\W*{name} secret {re.escape(secret)}\W*$", printed, re.MULTILINE), name


def test_serve_prints_the_shop_it_plays_and_its_dev_key_each_on_a_line_of_its_own(local_stack):
    printed = (local_stack.state / "serve.log").read_text()
    assert re.search(r"^\W*Shop stripe\W*$", printed, re.MULTILINE)
    assert re.search(r"^\W*Stripe key rk_test_\w+\W*$", printed, re.MULTILINE)


def test_serve_prints_the_event_endpoints_dev_secret_on_a_line_of_its_own(local_stack):
    printed = (local_stack.state / "serve.log").read_text()
    secrets = json.loads((local_stack.state / "state.json").read_text())["event_secrets"]
    assert list(secrets) == ["crm"]  # content/brands/acme.yaml's endpoint
    assert re.search(rf"^\W*Events secret {re.escape(secrets['crm'])}\W*$", printed, re.MULTILINE)


def test_the_test_store_receives_each_event_signed_and_lists_it(local_stack):
    enrol = {"campaign": "club", "email": "eve@example.com", "name": "Eve"}
    status, _ = local_stack.post("/referrers", enrol)
    assert status == 201

    def received() -> list[dict] | None:
        status, _, raw = local_stack.get("/_local/events.json")
        assert status == 200
        events = json.loads(raw)
        return events if any(e["type"] == "referrer.enrolled" for e in events) else None

    events = poll(received, timeout=30)
    assert all(e["verified"] and e["endpoint"] == "crm" and e["id"].startswith("evt_") for e in events)
    assert len({e["id"] for e in events}) == len(events)


def _store(local_stack, *args: str) -> str:
    """`passaparola store ...` against this stack, as a developer types it; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "passaparola_tools.cli", "store", *args, f"--state-dir={local_stack.state}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return " ".join(done.stdout.split())  # rich wraps long lines


@pytest.mark.parametrize(
    ("platform", "paid", "refunded", "order_id"),
    [
        ("stripe", "checkout-completed", "charge-refunded", "pi_e2e_1"),
        ("shopify", "orders-paid", "refunds-create", "7001"),
        ("woocommerce", "order-paid", "order-refunded", "7001"),
    ],
)
def test_store_sends_a_platforms_sample_events_by_code_by_coupon_and_a_refund(
    local_stack, platform, paid, refunded, order_id
):
    status, enrolled = local_stack.post(
        "/referrers", {"campaign": "club", "email": f"{platform}@example.com"}
    )
    assert status == 201
    status, claim = local_stack.post(
        "/claims", {"code": enrolled["code"], "email": f"friend.{platform}@example.com"}
    )
    coupon = claim["friend_reward"]["coupon_code"]
    by_code = _store(
        local_stack, platform, paid, f"--order-id={order_id}", f"--code={enrolled['code']}",
        f"--email=new.{platform}@example.com", "--amount=25", "--locale=pl-PL",
    )  # fmt: skip
    assert '202 {"conversion_id":' in by_code and '"status":"queued"' in by_code
    by_coupon = _store(
        local_stack, platform, paid, f"--order-id={order_id}2", f"--coupon={coupon}",
        f"--email=other.{platform}@example.org", "--amount=25",
    )  # fmt: skip
    assert '"status":"queued"' in by_coupon
    refund = _store(local_stack, platform, refunded, f"--order-id={order_id}")
    assert '"status":"refunded"' in refund
    if platform == "woocommerce":
        assert '200 {"status":"ignored"' in _store(local_stack, platform, "ping")


# What each platform's checkout says of a code already used.
USED = {
    "stripe": "promotion_code_fully_redeemed",
    "woocommerce": "E_WC_COUPON_USAGE_LIMIT_REACHED",
    "shopify": "DISCOUNT_LIMIT_REACHED",
}


# Stripe's is the session's stack; each other platform starts a stack of its own (about 17 s of
# processor time each).
@pytest.mark.parametrize(
    "platform",
    [
        "stripe",
        pytest.param("woocommerce", marks=pytest.mark.slow),
        pytest.param("shopify", marks=pytest.mark.slow),
    ],
)
def test_a_friends_coupon_paid_with_at_the_local_checkout_attributes_the_order_and_its_refund(
    playing, platform
):
    """claim -> the coupon live in the shop -> the local checkout -> the platform's own signed
    webhook -> attributed, the referrer rewarded -> a refund from the shop -> clawed back, and
    the friend's coupon, used, left as it is."""
    stack = playing(platform)
    status, enrolled = stack.post("/referrers", {"campaign": "club", "email": f"ada.{platform}@example.com"})
    assert status == 201
    friend = f"bob.{platform}@example.com"
    status, claim = stack.post("/claims", {"code": enrolled["code"], "email": friend})
    coupon = claim["friend_reward"]["coupon_code"]

    def held() -> dict:
        status, _, raw = stack.get("/_local/shop.json")
        listing = json.loads(raw)
        assert (status, listing["platform"]) == (200, platform)
        return {o["code"].upper(): o for o in listing["objects"] if o["kind"] != "order" and o.get("code")}

    assert (held()[coupon]["active"], held()[coupon]["used"]) == (True, False)
    paid = {"email": friend, "amount": "25.00", "currency": "EUR", "code": coupon.lower()}
    status, sale = stack.post("/_local/checkout", paid)
    assert (status, sale["accepted"]) == (200, True)
    assert held()[coupon]["used"] is True
    again = stack.post("/_local/checkout", paid | {"email": f"eve.{platform}@example.com"})
    assert again == (200, {"order_id": None, "accepted": False, "reason": USED[platform]})
    stack.mail_to(f"ada.{platform}@example.com", "1 free month")  # attributed, and rewarded
    welcome = stack.mail_to(f"ada.{platform}@example.com", "referral link")
    token = re.search(r"#t=([^\"&<]+)", welcome["html"]).group(1)
    status, refunded = stack.post("/_local/refund", {"order_id": sale["order_id"]})
    assert (status, refunded) == (200, {"order_id": sale["order_id"], "refunded": True})

    def clawed_back() -> bool:
        _, _, raw = stack.get("/referrers/me", headers={"authorization": f"Bearer {token}"})
        return [r["status"] for r in json.loads(raw)["rewards"]] == ["clawed_back"]

    poll(clawed_back, timeout=20)
    assert (held()[coupon]["active"], held()[coupon]["used"]) == (True, True)  # spent: not deactivated
    assert stack.post("/_local/refund", {"order_id": sale["order_id"]})[0] == 404


def test_the_local_checkout_refuses_what_is_not_an_order(local_stack):
    status, said = local_stack.post(
        "/_local/checkout", {"email": "x@example.com", "amount": "-1", "currency": "EUR"}
    )
    assert (status, said["error"]) == (422, "invalid_input")
    status, said = local_stack.post(
        "/_local/checkout", {"email": "x@example.com", "amount": "5", "currency": "EUR", "tip": 1}
    )
    assert (status, said["message"]) == (422, "unknown field tip")
    status, headers, page = local_stack.get("/_local/checkout/")
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert b'src="/_local/checkout.js"' in page and b"<script>" not in page


def test_the_outbox_shows_each_emails_headers_text_part_and_html_part(local_stack):
    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "fay@example.com"})
    assert status == 201
    local_stack.post("/claims", {"code": enrolled["code"], "email": "gus@example.com"})
    local_stack.store(
        "/conversions",
        {"order_id": f"o-{enrolled['code']}", "email": "gus@example.com", "amount": "25", "currency": "EUR"},
    )
    mail = local_stack.mail_to("fay@example.com", "1 free month")
    headers = dict(mail["headers"])
    assert headers["Content-Type"].startswith("multipart/alternative")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{local_stack.url}/unsubscribe/club." in headers["List-Unsubscribe"]
    assert "1 free month" in mail["text"] and '<html lang="en"' in mail["html"]

    status, page_headers, page = local_stack.get("/_local/")
    shown = page.decode()
    assert status == 200 and "frame-src 'self'" in page_headers["Content-Security-Policy"]
    assert "<th scope=row>List-Unsubscribe-Post</th><td>List-Unsubscribe=One-Click</td>" in shown
    assert "Plain-text part" in shown and "1 free month" in shown
    assert f'<iframe loading="lazy" src="/_local/outbox/{mail["id"]}.html"' in shown

    status, framed_headers, framed = local_stack.get(f"/_local/outbox/{mail['id']}.html")
    assert status == 200
    assert "script-src" not in framed_headers["Content-Security-Policy"]  # default-src 'none': no script
    assert framed.decode().startswith("<!doctype html>")
    assert '<base target="_top">' in framed.decode()
    status, _, _ = local_stack.get("/email/acme/email-logo.png")
    assert status == 200  # the logo the emails show, published with the site
    assert local_stack.get("/_local/outbox/nope.html")[0] == 404


def test_one_click_unsubscribe_over_http_as_a_mail_client_sends_it(local_stack):
    import urllib.request

    status, enrolled = local_stack.post("/referrers", {"campaign": "club", "email": "hal@example.com"})
    assert status == 201
    local_stack.post("/claims", {"code": enrolled["code"], "email": "ivy@example.com"})
    local_stack.store(
        "/conversions",
        {"order_id": f"o-{enrolled['code']}", "email": "ivy@example.com", "amount": "25", "currency": "EUR"},
    )
    mail = local_stack.mail_to("hal@example.com", "1 free month")
    url = dict(mail["headers"])["List-Unsubscribe"].strip().strip("<>")
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
        assert json.loads(answer.read()) == {"unsubscribed": True, "campaign": "club"}
