"""Two weeks of one campaign, email by email: the template's resources on moto, the real
handlers through the local stack's gateway, its worker, its stream poller and its release
schedule, and a clock moved a day at a time (the functions' utc_now; `serve`'s own processes
keep the wall clock, so simulated days are walked here).

The `lifecycle` campaign (tests/fixtures/content): 5 € credit per friend's first order, held 7
days; the friend gets 15% off orders of 20 € or more, within 10 days of claiming (recalled 3
days before); at most 2 rewarded referrals, a donation after 2; a nudge after 3 days; a buyer
asked to join 2 days after their order.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from passaparola.storage import aws
from tests.support import API, BROWSER, Client, Clock, items_under, person_key

pytestmark = pytest.mark.integration

ANNA, BEA, MARCO, NINA = "anna@example.com", "bea@example.com", "marco@example.com", "nina@example.com"
FORM = {"content-type": "application/x-www-form-urlencoded"}


class Walk:
    """The days go by, half a day at a time (the release schedule runs every 15 minutes, and
    what it finds due went at most that long ago): each step the counters, the worker, the
    release schedule and the worker again; every email sent is noted with the day it went."""

    def __init__(self, client: Client, clock: Clock) -> None:
        self.client, self.clock, self.start = client, clock, clock.now
        self.seen = 0
        self.mail: list[dict[str, Any]] = []

    @property
    def day(self) -> int:
        return (self.clock.now - self.start).days

    def settle(self) -> None:
        self.client.run_rollup()
        self.client.run_worker()
        self.client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})
        self.client.run_worker()
        sent = self.client.outbox()
        for email in sent[self.seen :]:
            headers = dict(email["headers"])
            self.mail.append(email | {"day": self.day, "lang": headers["Content-Language"]})
        self.seen = len(sent)

    def until(self, day: int) -> None:
        while self.clock.now < self.start + timedelta(days=day):
            self.clock.advance(hours=12)
            self.settle()

    def order(self, order_id: str, email: str, amount: str, **extra: str) -> str:
        body = {"order_id": order_id, "email": email, "amount": amount, "currency": "EUR"} | extra
        answer = self.client.signed("/conversions", body)  # signed now: the signature checks the wall clock
        assert answer.status == 202, answer.body
        status: str = answer.body["status"]
        return status

    def to(self, address: str) -> list[tuple[int, str, str]]:
        return [(m["day"], m["lang"], m["subject"]) for m in self.mail if m["to"] == [address]]


def enrol(client: Client, email: str, locale: str) -> str:
    name = email.partition("@")[0].title()
    body = {"campaign": "lifecycle", "email": email, "name": name, "locale": locale}
    answer = client.call("POST", "/referrers", body)
    assert answer.status == 201
    code: str = answer.body["code"]
    return code


def claim(client: Client, code: str, email: str, locale: str) -> None:
    answer = client.call("POST", "/claims", {"code": code, "email": email, "locale": locale})
    assert answer.status == 201, answer.body


def test_two_weeks_of_a_referral_each_email_once_in_its_language_until_an_unsubscribe(client, clock):
    walk = Walk(client, clock)
    anna = enrol(client, ANNA, "fr")
    enrol(client, BEA, "pl")  # nobody will open Bea's link
    assert client.call("GET", f"/r/{anna}", headers={"user-agent": BROWSER}).status == 302
    claim(client, anna, MARCO, "pl")
    walk.settle()
    walk.until(1)
    assert walk.order("m-1", MARCO, "30", locale="pl-PL") == "queued"
    claim(client, anna, NINA, "en")  # Nina claims too, and will not order for a while
    walk.settle()
    walk.until(8)  # Marco's order is past its hold: Anna's credit is issued
    (reward_email,) = [m for m in walk.mail if m["to"] == [ANNA] and m["day"] == 8]
    one_click = dict(reward_email["headers"])["List-Unsubscribe"].strip().strip("<>").removeprefix(API)
    answer = client.call("POST", one_click, raw=b"List-Unsubscribe=One-Click", headers=FORM)
    assert answer.status == 200, (one_click, [(m["day"], m["subject"]) for m in walk.mail])
    walk.until(9)
    assert walk.order("n-1", NINA, "25") == "queued"  # Nina's order takes Anna's last slot
    walk.settle()
    walk.until(17)  # Nina's order is past its hold too, and Anna's milestone reached

    release = (walk.start + timedelta(days=8)).date()
    assert walk.to(ANNA) == [
        (0, "fr", "Votre lien de parrainage pour Parlez-en à un ami"),
        (0, "fr", "Un ami a accepté votre invitation chez Test Shop"),
        (1, "fr", "Un ami que vous avez invité a passé commande chez Test Shop"),
        (1, "fr", "Un ami a accepté votre invitation chez Test Shop"),
        (8, "fr", "Votre récompense Test Shop\xa0: 5\xa0€ de crédit en boutique"),
        # unsubscribed: not told of Nina's order, her reward, the cap, nor the milestone
    ]
    ordered = next(m for m in walk.mail if m["to"] == [ANNA] and m["day"] == 1)
    assert f"débloquée le {release.day} " in ordered["text"]
    assert "5\xa0€ de crédit en boutique" in ordered["text"]
    assert walk.to(BEA) == [
        (0, "pl", "Twój link polecający do akcji Powiedz znajomemu"),
        (3, "pl", "Twój link do akcji Powiedz znajomemu czeka na udostępnienie"),
    ]
    assert walk.to(MARCO) == [
        (0, "pl", "Twój prezent powitalny od marki Test Shop: 15% zniżki"),
        (3, "pl", "Poleć markę Test Shop znajomym"),  # two days after his order: asked to join
    ]
    assert walk.to(NINA) == [
        (1, "en", "Your welcome gift from Test Shop: 15% off"),
        (8, "en", f"Your gift from Test Shop ends on {_english(walk.start + timedelta(days=11))}"),
        (11, "en", "Share Test Shop with your friends"),  # in the language she claimed in
    ]
    gift = next(m for m in walk.mail if m["to"] == [NINA])
    assert "It is valid on an order of at least €20." in gift["text"]
    assert re.search(r"Use it by \w+ \d+, \d{4}\.", gift["text"])
    assert f"/en/lifecycle/#email={NINA.replace('@', '%40')}" in gift["html"]
    marco = next(m for m in walk.mail if m["to"] == [MARCO])
    assert "Obowiązuje przy zamówieniu za co najmniej 20\xa0€." in marco["text"]
    (reminder,) = [m for m in walk.mail if m["to"] == [NINA] and m["day"] == 8]
    assert reminder["text"].count("Unsubscribe from these emails") == 1
    assert re.search(r"Your code\r?\nLIFECYCLE-[A-Z0-9-]+\r?\n", reminder["text"])
    ask = next(m for m in walk.mail if m["to"] == [MARCO] and m["day"] == 3)
    assert "Dziękujemy za zamówienie w Test Shop." in ask["text"]
    assert f"/pl/lifecycle/#email={MARCO.replace('@', '%40')}" in ask["html"]
    assert "To jedyne zaproszenie do akcji „Powiedz znajomemu”" in ask["text"]
    assert "List-Unsubscribe" in dict(ask["headers"])
    # What Anna was not told of after unsubscribing did happen: both rewards, and the milestone.
    rewards = {r["reward_id"]: r["status"] for r in items_under(client.stack, f"CODE#{anna}", "REWARD#")}
    assert rewards == {"order-m-1": "issued", "order-n-1": "issued", "tier-2": "issued"}
    # Every lifecycle email is closed once, with what became of it.
    assert _by_kind(client) == {
        "cap_reached": ["unsubscribed"],
        "coupon_reminder": ["not_needed", "sent"],  # Marco ordered: no reminder for him
        "friend_claimed": ["sent", "sent"],
        "order_attributed": ["sent", "unsubscribed"],
        "purchase_ask": ["sent", "sent"],  # Marco and Nina, each once
        "referrer_nudge": ["not_needed", "sent"],  # Anna's link was opened; not Bea's
    }
    assert all("due_at" not in n for n in _notices(client))


def _notices(client: Client) -> list[dict[str, Any]]:
    return items_under(client.stack, "NOTICE#")


def _by_kind(client: Client) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for notice in _notices(client):
        kinds.setdefault(notice["kind"], []).append(notice["outcome"])
    return {kind: sorted(outcomes) for kind, outcomes in kinds.items()}


def _english(moment: datetime) -> str:
    """The coupon's last day: the day before the window closes, as Babel writes it in English."""
    day = (moment - timedelta(days=1)).date()
    return f"{day:%B} {day.day}, {day.year}"


def test_a_redelivered_lifecycle_message_mails_once(client):
    anna = enrol(client, ANNA, "en")
    claim(client, anna, MARCO, "en")
    notice = f"friend_claimed.lifecycle.{person_key(MARCO)}"
    queue = client.stack.ref("RewardQueue")
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody=f'{{"notice_id": "{notice}"}}')
    client.run_worker()
    told = [m for m in client.outbox() if m["to"] == [ANNA] and "accepted your invitation" in m["subject"]]
    assert len(told) == 1


def test_a_campaign_can_switch_its_lifecycle_emails_off(client, clock):
    walk = Walk(client, clock)
    code = client.call("POST", "/referrers", {"campaign": "quiet", "email": ANNA, "locale": "en"}).body[
        "code"
    ]
    assert client.call("POST", "/claims", {"code": code, "email": MARCO}).status == 201
    walk.settle()
    walk.until(1)
    assert walk.order("q-1", MARCO, "30") == "queued"
    walk.settle()
    walk.until(12)
    assert [subject for _, _, subject in walk.to(ANNA)] == ["Your referral link for Only what was asked"]
    assert [subject for _, _, subject in walk.to(MARCO)] == ["Your welcome gift from Test Shop: €5 off"]
    assert items_under(client.stack, "NOTICE#") == []  # switched off: not even written
