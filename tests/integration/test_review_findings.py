"""Cases a review found: refunds racing the worker, milestones and refunds, a referrer's
second-level reward on their own order, and inputs that must not become a 5xx."""

import pytest

from passaparola.storage import aws
from passaparola.storage.rewards import RewardLedger
from tests.support import items_under

pytestmark = pytest.mark.integration


def rewards_of(client, code):
    return {r["reward_id"]: r for r in items_under(client.stack, f"CODE#{code}", "REWARD#")}


def test_a_refund_that_loses_a_race_with_the_worker_claws_back(client, monkeypatch):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    client.convert("5", "marco@example.com")
    void = RewardLedger.void
    raced = []

    def worker_wins(self, ref, now, reason, slot_of):
        if not raced:  # between the refund's read and its write, the worker issues the reward
            raced.append(True)
            client.run_worker()
        return void(self, ref, now, reason, slot_of)

    monkeypatch.setattr(RewardLedger, "void", worker_wins)
    answer = client.signed("/refunds", {"order_id": "5"})
    assert raced
    assert answer.body["rewards"] == [{"id": "order-5", "status": "clawed_back"}]
    assert rewards_of(client, code)["order-5"]["status"] == "clawed_back"


def test_milestones_count_only_referrals_that_survived_their_refund_window(client, clock):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]  # tier after 2, hold 14 days
    for n in range(2):
        client.claim(code, f"friend{n}@example.com")
        client.convert(f"o{n}", f"friend{n}@example.com")
    client.run_worker()
    client.signed("/refunds", {"order_id": "o1"})
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    assert "tier-2" not in rewards_of(client, code)  # one referral stood, not two
    client.claim(code, "friend2@example.com")
    client.convert("o2", "friend2@example.com")
    client.run_worker()
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    found = rewards_of(client, code)
    assert found["tier-2"]["status"] == "issued"
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    assert item["rewarded"] == 2


def test_a_referrer_earns_no_second_level_reward_on_their_own_order(client):
    anna = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(anna, "bob@example.com")
    bob = client.enrol("bob@example.com", campaign="gift").body["code"]
    answer = client.convert("77", "anna@example.com", code=bob)  # Anna buys through Bob's link
    assert answer.body["status"] == "queued"
    assert answer.body["rewards"] == 1  # Bob's referrer reward only
    assert rewards_of(client, anna) == {}


def test_an_issued_reward_stays_due_until_its_owner_is_told(client, monkeypatch, clock):
    from passaparola.storage import mailer

    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    client.convert("5", "marco@example.com")

    def ses_down(self, email):
        raise RuntimeError("SES is down")

    working_send = mailer.Mailer.send
    monkeypatch.setattr(mailer.Mailer, "send", ses_down)
    client.run_worker(max_rounds=1)
    reward = rewards_of(client, code)["order-5"]
    assert reward["status"] == "issued"
    assert "notified_at" not in reward
    assert "due_at" in reward  # so the release schedule will bring it back
    aws.client("sqs").purge_queue(QueueUrl=client.stack.ref("RewardQueue"))  # the queue gave up
    monkeypatch.setattr(mailer.Mailer, "send", working_send)  # SES is back
    clock.advance(minutes=3)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    assert "notified_at" in rewards_of(client, code)["order-5"]
    announced = [m for m in client.outbox() if m["to"] == ["anna@example.com"] and "reward" in m["subject"]]
    assert len(announced) == 1


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/referrers/me", None, {"authorization": "Bearer a.1.é"}),
        ("/referrers", '{"campaign": "gift", "email": "a@example.com", "name": ' + "1" * 5000 + "}", {}),
        ("/claims", '{"code": ' + "9" * 5000 + "}", {}),
    ],
)
def test_odd_inputs_get_a_4xx_not_a_5xx(client, path, body, headers):
    method = "GET" if body is None else "POST"
    answer = client.call(method, path, raw=body.encode() if body else None, headers=headers)
    assert 400 <= answer.status < 500, answer.body
    assert set(answer.body) >= {"error", "message"}
