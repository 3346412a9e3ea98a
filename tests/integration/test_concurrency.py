"""Money paths under concurrency, against a moto server that answers one request at a time
(conditional writes atomic, as in DynamoDB), from Lambda-like sandboxes running in parallel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from passaparola.storage import aws

pytestmark = pytest.mark.integration


def _items(stack, prefix: str) -> list[dict]:
    table = aws.client("dynamodb")
    found, kwargs = [], {"TableName": stack.ref("Table")}
    while True:
        page = table.scan(**kwargs)
        found += [i for i in page["Items"] if i["pk"]["S"].startswith(prefix)]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _rewards(stack) -> list[dict]:
    return [i for i in _items(stack, "") if i["sk"]["S"].startswith("REWARD#")]


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
    assert len(_items(served_client.stack, "ORDER#")) == 1
    referrer_rewards = [r for r in _rewards(served_client.stack) if r["role"]["S"] == "referrer"]
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
    assert len(_items(served_client.stack, "ORDER#")) == 1
    assert len([r for r in _rewards(served_client.stack) if r["role"]["S"] == "referrer"]) == 1


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

    assert all(a.status == 202 for a in answers), {a.status for a in answers}
    outcomes = sorted((a.body["status"], a.body["reason"]) for a in answers)
    assert outcomes.count(("queued", None)) == 5
    assert outcomes.count(("rejected", "cap_reached")) == 95
    referrer_rewards = [r for r in _rewards(served_client.stack) if r["role"]["S"] == "referrer"]
    assert len(referrer_rewards) == 5
    (code_item,) = [i for i in _items(served_client.stack, f"CODE#{code}") if i["sk"]["S"] == "CODE"]
    assert (code_item["qualified"]["N"], code_item["conversions"]["N"]) == ("5", "100")
    assert len(_items(served_client.stack, "ORDER#")) == 100
