"""Money paths under concurrency, against a moto server that answers one request at a time
(conditional writes atomic, as in DynamoDB), from Lambda-like sandboxes running in parallel.

Served one at a time, moto never cancels a transaction for a conflict, as DynamoDB does when
two meet on one item; storage retries those (storage/dynamo.py), and a unit of its own
covers that retry."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from passaparola.storage import aws
from tests.support import items_under

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _rewards(stack) -> list[dict]:
    return items_under(stack, "", "REWARD#")


def test_one_conversion_delivered_ten_times_at_once_counts_once(served_client):
    code = served_client.enrol("anna@example.com", campaign="instant").body["code"]
    assert served_client.claim(code, "marco@example.com").status == 201
    body = {"order_id": "A-1", "email": "marco@example.com", "amount": "30", "currency": "EUR"}

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: served_client.signed("/conversions", body), range(10)))

    statuses = sorted(a.body["status"] for a in answers if a.status == 202)
    assert statuses.count("queued") == 1, [(a.status, a.body) for a in answers]
    assert all(s == "duplicate" for s in statuses if s != "queued")
    assert {a.body["conversion_id"] for a in answers if a.status == 202} == {answers[0].body["conversion_id"]}
    assert len(items_under(served_client.stack, "ORDER#")) == 1
    referrer_rewards = [r for r in _rewards(served_client.stack) if r["role"] == "referrer"]
    assert len(referrer_rewards) == 1


def test_the_same_webhook_delivered_ten_times_at_once_runs_once(served_client):
    code = served_client.enrol("anna@example.com", campaign="instant").body["code"]
    body = {"order_id": "B-1", "email": "marco@example.com", "amount": "30", "currency": "EUR", "code": code}

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(
            pool.map(lambda _: served_client.signed("/conversions", body, msg_id="msg_once"), range(10))
        )

    accepted = [a for a in answers if a.status == 202]
    busy = [a for a in answers if a.status == 409]
    assert len(accepted) + len(busy) == 10, [(a.status, a.body) for a in answers]
    assert {a.body["status"] for a in accepted} == {"queued"}  # a redelivery replays the first answer
    assert all(a.body["error"] == "in_progress" for a in busy)
    assert len(items_under(served_client.stack, "ORDER#")) == 1
    assert len([r for r in _rewards(served_client.stack) if r["role"] == "referrer"]) == 1


def test_a_hundred_conversions_at_once_against_a_cap_of_five_pay_exactly_five(served_client):
    code = served_client.enrol("anna@example.com", campaign="capped").body["code"]

    def convert(n: int):
        return served_client.signed(
            "/conversions",
            {
                "order_id": f"C-{n}",
                "email": f"friend{n}@example.com",
                "amount": "30",
                "currency": "EUR",
                "code": code,
            },
        )

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(convert, range(100)))

    assert all(a.status == 202 for a in answers), [a.body for a in answers if a.status != 202][:3]
    outcomes = sorted((a.body["status"], a.body["reason"]) for a in answers)
    assert outcomes.count(("queued", None)) == 5
    assert outcomes.count(("rejected", "cap_reached")) == 95
    referrer_rewards = [r for r in _rewards(served_client.stack) if r["role"] == "referrer"]
    assert len(referrer_rewards) == 5
    served_client.run_rollup()  # the counters, from the stream
    (code_item,) = items_under(served_client.stack, f"CODE#{code}", "CODE")
    assert (code_item["qualified"], code_item["orders"]) == (5, 100)
    assert len(items_under(served_client.stack, "ORDER#")) == 100


def test_a_reward_issued_by_several_runs_at_once_is_emailed_once(served_client):
    """The claim issues the friend's coupon inline while the worker takes the queued message;
    redeliveries make it worse. One coupon, one email."""
    code = served_client.enrol("anna@example.com", campaign="instant").body["code"]
    sqs = aws.client("sqs")
    url, arn = served_client.stack.ref("RewardQueue"), served_client.stack.arn("RewardQueue")
    claimed = {}

    def claim() -> None:
        claimed["answer"] = served_client.claim(code, "marco@example.com")

    def deliver() -> None:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
        if messages:
            served_client.gateway.deliver("RewardWorkerFunction", messages, arn)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(claim)] + [pool.submit(deliver) for _ in range(7)]:
            future.result()
    served_client.run_worker()
    assert claimed["answer"].status == 201
    mails = [m for m in served_client.outbox() if m["to"] == ["marco@example.com"]]
    assert len(mails) == 1, [m["subject"] for m in mails]
    assert len(items_under(served_client.stack, "COUPON#")) == 1


def test_a_transaction_the_serial_server_cancels_on_a_condition_writes_nothing_and_says_why(served_stack):
    """The local moto server tells a cancelled transaction before copying the table to undo it
    (passaparola_localstack.motoserver): the same reasons, the same old item, nothing written."""
    from passaparola import wiring
    from passaparola.storage.dynamo import Cancelled

    table = wiring.table()
    table.put({"pk": "T#1", "sk": "T", "n": 1})
    transaction = (
        table.transaction().put("new", {"pk": "T#2", "sk": "T"}).put("old", {"pk": "T#1", "sk": "T"})
    )
    transaction.update("count", {"pk": "T#3", "sk": "T"}, "ADD n :one", {":one": 1})
    with pytest.raises(Cancelled) as cancelled:
        transaction.run()
    assert cancelled.value.reasons == {"new": "None", "old": "ConditionalCheckFailed", "count": "None"}
    assert cancelled.value.items["old"] == {"pk": "T#1", "sk": "T", "n": 1}
    assert table.get({"pk": "T#2", "sk": "T"}) is None and table.get({"pk": "T#3", "sk": "T"}) is None
    table.transaction().put("new", {"pk": "T#2", "sk": "T"}).run()  # no condition fails: written
    assert table.get({"pk": "T#2", "sk": "T"}) == {"pk": "T#2", "sk": "T"}


def test_a_transaction_that_fails_while_the_serial_server_writes_it_leaves_nothing_written(served_stack):
    """A transaction whose conditions hold is written item by item without copying the table;
    an error half way (adding to a string) puts back what was written, and moto's own answer
    stands."""
    from botocore.exceptions import ClientError

    from passaparola import wiring

    table = wiring.table()
    table.put({"pk": "T#5", "sk": "T", "n": "five"})
    transaction = table.transaction().put("new", {"pk": "T#4", "sk": "T"})
    transaction.update("bad", {"pk": "T#5", "sk": "T"}, "ADD n :one", {":one": 1})
    with pytest.raises(ClientError) as failed:
        transaction.run()
    assert failed.value.response["Error"]["Code"] in ("ValidationException", "TransactionCanceledException")
    assert table.get({"pk": "T#4", "sk": "T"}) is None
    assert table.get({"pk": "T#5", "sk": "T"}) == {"pk": "T#5", "sk": "T", "n": "five"}
