"""The reward worker, the release schedule, refunds and milestone tiers."""

import json

import pytest

from passaparola.storage import aws
from tests.support import items_under

pytestmark = pytest.mark.integration


def rewards_of(client, owner_prefix):
    return {r["reward_id"]: r for r in items_under(client.stack, owner_prefix, "REWARD#")}


def release(client):
    return client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})


def referred_order(client, campaign, referrer, friend, order):
    code = client.enrol(referrer, campaign=campaign).body["code"]
    client.claim(code, friend)
    assert client.convert(order, friend).body["status"] == "queued"
    return code


def test_held_rewards_are_issued_when_the_hold_ends(client, clock):
    code = referred_order(client, "gift", "anna@example.com", "marco@example.com", "1001")
    client.run_worker()
    assert rewards_of(client, f"CODE#{code}")["order-1001"]["status"] == "held"
    assert release(client) == {"released": 0}
    clock.advance(days=14, minutes=1)
    # the reward, the nudge of a link nobody opened, and Marco's invitation to join in turn
    assert release(client) == {"released": 3}
    client.run_worker()
    reward = rewards_of(client, f"CODE#{code}")["order-1001"]
    assert reward["status"] == "issued"
    assert "due_at" not in reward
    mails = [
        m for m in client.outbox() if m["to"] == ["anna@example.com"] and "reward" in m["subject"].lower()
    ]
    assert len(mails) == 1
    assert "€10 in store credit" in mails[0]["subject"]
    assert "/en/stats/#t=" in mails[0]["text"]


def test_a_lost_queue_message_is_recovered_by_the_release_schedule(client, clock):
    code = referred_order(client, "instant", "anna@example.com", "marco@example.com", "5")
    sqs = aws.client("sqs")
    sqs.purge_queue(QueueUrl=client.stack.ref("RewardQueue"))  # the message never arrives
    assert release(client) == {"released": 0}  # too fresh: its message may still be on its way
    clock.advance(minutes=3)
    assert release(client) == {"released": 2}  # the reward, and the email telling Anna of the claim
    client.run_worker()
    assert rewards_of(client, f"CODE#{code}")["order-5"]["status"] == "issued"


def test_a_redelivered_message_never_issues_twice(client):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    client.convert("5", "marco@example.com")
    sqs = aws.client("sqs")
    url, arn = client.stack.ref("RewardQueue"), client.stack.arn("RewardQueue")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    for _ in range(3):  # visibility timeouts, retries after a crash: the same message again
        assert client.gateway.deliver("RewardWorkerFunction", messages, arn) == {"batchItemFailures": []}
    (reward,) = rewards_of(client, f"CODE#{code}").values()
    assert reward["status"] == "issued"
    coupons = items_under(client.stack, "COUPON#")
    assert len(coupons) == 1  # the friend's coupon, issued at claim; the free month needs no code
    mails = [m for m in client.outbox() if m["to"] == ["anna@example.com"] and "1 free month" in m["subject"]]
    assert len(mails) == 1


POISON = {
    "not json": "{not json",
    "no such reward": json.dumps(
        {
            "owner": {"kind": "referrer", "id": "SHARE-BCDFGHJKM"},
            "reward_id": "nope",
            "from_status": "pending",
        }
    ),
    "wrong shape": json.dumps({"unexpected": True}),
    "a list": "[]",
    "empty": "",
}


@pytest.mark.parametrize("poison", POISON, ids=list(POISON))
def test_one_poison_message_in_a_batch_of_ten_fails_alone(client, poison):
    code = client.enrol("anna@example.com", campaign="share").body["code"]
    for n in range(9):
        client.claim(code, f"friend{n}@example.com")
        client.convert(f"o{n}", f"friend{n}@example.com")
    sqs = aws.client("sqs")
    url, arn = client.stack.ref("RewardQueue"), client.stack.arn("RewardQueue")
    messages: list[dict[str, str]] = []
    for _ in range(5):  # the rewards' messages, among the emails each claim asks for
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        messages += [message for message in received if "notice_id" not in message["Body"]]
    assert len(messages) == 9
    bad = {"MessageId": "poison", "ReceiptHandle": "r", "Body": POISON[poison]}
    answer = client.gateway.deliver("RewardWorkerFunction", [*messages[:4], bad, *messages[4:]], arn)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    statuses = [r["status"] for r in rewards_of(client, f"CODE#{code}").values()]
    assert statuses == ["issued"] * 9


def test_a_refund_voids_a_held_reward_and_frees_its_cap_slot(client):
    code = referred_order(client, "gift", "anna@example.com", "marco@example.com", "1001")
    client.run_worker()
    answer = client.signed("/refunds", {"order_id": "1001"})
    assert answer.status == 202
    assert answer.body == {
        "order_id": "1001",
        "status": "refunded",
        "rewards": [{"id": "order-1001", "status": "void"}],
    }
    reward = rewards_of(client, f"CODE#{code}")["order-1001"]
    assert (reward["status"], reward["void_reason"]) == ("void", "refunded")
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    assert item["qualified"] == 0
    again = client.signed("/refunds", {"order_id": "1001"})
    assert again.body == answer.body


def test_a_refund_after_issuing_records_a_clawback(client):
    code = referred_order(client, "instant", "anna@example.com", "marco@example.com", "5")
    client.run_worker()
    answer = client.signed("/refunds", {"order_id": "5"})
    assert answer.body["rewards"] == [{"id": "order-5", "status": "clawed_back"}]
    reward = rewards_of(client, f"CODE#{code}")["order-5"]
    assert reward["status"] == "clawed_back"
    assert reward["issued_at"] <= reward["clawed_back_at"]


def test_the_worker_does_not_issue_a_reward_voided_while_queued(client):
    code = referred_order(client, "instant", "anna@example.com", "marco@example.com", "5")
    client.signed("/refunds", {"order_id": "5"})
    client.run_worker()
    assert rewards_of(client, f"CODE#{code}")["order-5"]["status"] == "void"


def test_a_milestone_tier_is_granted_exactly_once(client, clock):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    for n in range(3):
        client.claim(code, f"friend{n}@example.com")
        client.convert(f"o{n}", f"friend{n}@example.com")
    client.run_worker()
    assert sorted(rewards_of(client, f"CODE#{code}")) == ["order-o0", "order-o1", "order-o2"]  # all held
    clock.advance(days=15)
    for _ in range(2):  # the schedule and the worker running again change nothing more
        release(client)
        client.run_worker()
    found = rewards_of(client, f"CODE#{code}")
    assert sorted(found) == ["order-o0", "order-o1", "order-o2", "tier-2"]
    tier = found["tier-2"]
    assert (tier["role"], tier["kind"], tier["status"]) == ("tier", "gift", "issued")
    assert {r["status"] for r in found.values()} == {"issued"}
    tier_mails = [m for m in client.outbox() if m["to"] == ["anna@example.com"] and "A mug" in m["subject"]]
    assert len(tier_mails) == 1


def test_the_cap_stops_rewards_but_still_records_orders(client):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    for n in range(4):
        client.claim(code, f"friend{n}@example.com")
    answers = [client.convert(f"o{n}", f"friend{n}@example.com").body for n in range(4)]
    assert [a["status"] for a in answers[:3]] == ["queued"] * 3
    assert (answers[3]["status"], answers[3]["reason"]) == ("rejected", "cap_reached")
    assert len([r for r in rewards_of(client, f"CODE#{code}").values() if r["role"] == "referrer"]) == 3
    client.run_rollup()
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    assert (item["orders"], item["qualified"]) == (4, 3)
