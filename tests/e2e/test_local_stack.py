"""`passaparola serve` end to end over HTTP: pages, API, worker, schedule, outbox, test store."""

import json
import re

import pytest

from tests.support import BROWSER, poll

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
