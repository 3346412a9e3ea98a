"""The daily digest on moto: yesterday's figures from the counters and what waits from the
`waiting` index, to every admin of the brand, in each one's language, once a day, with
one-click unsubscribe; nothing when nothing happened."""

from __future__ import annotations

import pytest

from tests.integration.test_emails import FORM, ONE_CLICK, one_click_url, to
from tests.support import API, dynamodb_calls

pytestmark = pytest.mark.integration

BOSS, OPS = "boss@shop.test", "ops@shop.test"  # tests/fixtures/content/brands/test.yaml (ops reads Italian)


def send_digest(client) -> int:
    sent: int = client.gateway.invoke("DailyDigestFunction", {"source": "aws.scheduler"})["sent"]
    return sent


def a_day_of_referrals(client) -> None:
    """Two referrers enrol, one friend claims and orders; the worker issues a free month (the
    business gives it: it waits to be fulfilled); the counters follow the stream."""
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.enrol("bruno@example.com", campaign="instant")
    client.claim(code, "marco@example.com")
    assert client.convert("d-1", "marco@example.com").body["status"] == "queued"
    client.run_worker()
    client.run_rollup()


def test_each_admin_gets_yesterdays_figures_in_their_language_once(client, clock):
    a_day_of_referrals(client)
    waiting = len(client.admin("GET", "/rewards", query="status=issued&fulfilled=false").body["items"])
    assert waiting == 1
    clock.advance(days=1)
    with dynamodb_calls() as calls:
        assert send_digest(client) == 2
    assert "Scan" not in calls
    (boss,) = to(BOSS)
    (ops,) = to(OPS)
    assert boss["Subject"].startswith("Test Shop's referral programme on ")
    assert ops["Subject"].startswith("Il programma referral di Test Shop il ")
    text = boss.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for line in (
        "2 new referrers.",
        "1 friend claimed an offer.",
        "1 referred first order.",
        "1 reward is waiting for you to give it.",
        "0 orders are waiting for your review.",
    ):
        assert line in text
    assert "/en/admin/" in text
    assert boss["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_digest(client) == 0  # the schedule retried, or run twice: nobody gets a day twice
    assert len(to(BOSS)) == len(to(OPS)) == 1


def test_an_admin_who_unsubscribed_gets_no_more_digests(client, clock):
    a_day_of_referrals(client)
    clock.advance(days=1)
    send_digest(client)
    (boss,) = to(BOSS)
    answer = client.call("POST", one_click_url(boss).removeprefix(API), raw=ONE_CLICK, headers=FORM)
    assert (answer.status, answer.body) == (200, {"unsubscribed": True, "campaign": "digest"})
    clock.advance(days=1)  # nothing new, but a reward still waits to be given
    assert send_digest(client) == 1
    assert len(to(BOSS)) == 1
    assert len(to(OPS)) == 2


def test_no_digest_when_nothing_happened_and_nothing_waits(client, clock):
    clock.advance(days=1)
    assert send_digest(client) == 0
    assert to(BOSS) == to(OPS) == []
