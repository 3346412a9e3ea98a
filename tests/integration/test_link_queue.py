"""The link queue on moto, through the local stack: `/admin/sign-in` and `/me/link` each put
one message on it for any address, and SendLinks sends each link once, only to an address it
is for (issue 19, item 3)."""

from __future__ import annotations

import json

import pytest

from passaparola.storage import aws
from tests.support import ADMIN

pytestmark = pytest.mark.integration

ANNA = "anna@example.com"
STRANGER = "nobody@example.com"


def _waiting(client) -> int:
    sqs, url = aws.client("sqs"), client.stack.ref("LinkQueue")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_each_ask_is_one_message_and_only_the_known_addresses_are_mailed(client):
    assert client.enrol(ANNA, campaign="instant").status == 201
    mailed = len(client.outbox())
    asks = [
        ("/admin/sign-in", ADMIN),
        ("/admin/sign-in", STRANGER),
        ("/me/link", ANNA),
        ("/me/link", STRANGER),
    ]
    answers = [client.call("POST", path, {"email": address}) for path, address in asks]
    assert {a.status for a in answers} == {202}
    assert _waiting(client) == len(asks)
    assert client.outbox()[mailed:] == []  # nothing before the worker
    (batch,) = client.run_links()
    assert batch == {"batchItemFailures": []}
    assert _waiting(client) == 0
    sent = client.outbox()[mailed:]
    assert sorted((m["to"][0], "#signin=" in m["text"], "/my-data/#token=" in m["text"]) for m in sent) == [
        (ANNA, False, True),
        (ADMIN, True, False),
    ]


def test_a_request_delivered_twice_sends_one_link(client):
    assert client.call("POST", "/admin/sign-in", {"email": ADMIN}).status == 202
    sqs, url = aws.client("sqs"), client.stack.ref("LinkQueue")
    (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    mailed = len(client.outbox())
    for _ in range(2):  # as SQS may: at least once
        answer = client.gateway.deliver("SendLinksFunction", [message], client.stack.arn("LinkQueue"))
        assert answer == {"batchItemFailures": []}
    assert [m["to"] for m in client.outbox()[mailed:]] == [[ADMIN]]


def test_a_message_that_is_no_request_fails_alone(client):
    good = {"kind": "sign_in", "address": ADMIN, "language": "it", "request_id": "r-1"}
    batch = [
        {"MessageId": name, "ReceiptHandle": name, "Body": body}
        for name, body in (
            ("not-json", "{not json"),
            ("no-such-kind", json.dumps(good | {"kind": "stats", "request_id": "r-2"})),
            ("good", json.dumps(good)),
        )
    ]
    mailed = len(client.outbox())
    answer = client.gateway.deliver("SendLinksFunction", batch, client.stack.arn("LinkQueue"))
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": "not-json"}, {"itemIdentifier": "no-such-kind"}]
    }
    assert [m["to"] for m in client.outbox()[mailed:]] == [[ADMIN]]
