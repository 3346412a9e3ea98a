"""Outgoing events on moto: derived from the table's stream by PublishEvents, queued once per
endpoint, and posted by DeliverEvents, signed, to a receiver that checks every signature;
retried with the same webhook-id, and dead-lettered when the receiver never takes them."""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from passaparola import wiring
from passaparola.storage import aws, secret_store
from passaparola_localstack.receiver import EventReceiver, point_webhooks
from tests.support import poll

pytestmark = pytest.mark.integration


class Receiver:
    """The business's endpoints on one local server: `/_local/events/<endpoint>` checked by the
    test store's receiver, after answering 503 to the first `fail_first` attempts of each
    event (per endpoint; `always` for endpoints that never answer 2xx)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.check = EventReceiver(secrets)
        self.fail_first: dict[str, int] = {}
        self.attempts: Counter[tuple[str, str]] = Counter()  # (endpoint, webhook-id) -> attempts
        self.bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def handle(self, endpoint: str, body: bytes, headers: dict[str, str]) -> int:
        event = headers.get("webhook-id", "")
        with self._lock:
            self.attempts[endpoint, event] += 1
            self.bodies[event] = body
            failing = self.attempts[endpoint, event] <= self.fail_first.get(endpoint, 0)
        return 503 if failing else int(self.check.receive(endpoint, body, headers)[0])

    def ids(self, endpoint: str) -> set[str]:
        return {event for (where, event) in self.attempts if where == endpoint}

    def types(self, endpoint: str) -> list[str]:
        return sorted(r["type"] for r in self.check.listing() if r["endpoint"] == endpoint)


@pytest.fixture
def receiver(client, rules_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The test brand's endpoints pointed at a local receiver, each with its own secret in
    OutgoingWebhookSecrets, as `serve` points them at the test store's."""
    rules = tmp_path / "rules.json"
    shutil.copy(rules_path, rules)
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            endpoint = self.path.rsplit("/", 1)[-1]
            self.send_response(
                holder["it"].handle(endpoint, body, {k.lower(): v for k, v in self.headers.items()})
            )
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secrets = point_webhooks(rules, f"http://127.0.0.1:{server.server_address[1]}")
    holder["it"] = Receiver(secrets)
    aws.client("secretsmanager").put_secret_value(
        SecretId=client.stack.ref("OutgoingWebhookSecrets"), SecretString=json.dumps(secrets)
    )
    monkeypatch.setenv("RULES_PATH", str(rules))
    monkeypatch.setenv("EVENT_RETRY_SECONDS", "0")  # a failed try is visible again at once
    wiring.reset()
    secret_store.forget()
    yield holder["it"]
    server.shutdown()
    server.server_close()


def referral_issued_then_refunded(client) -> str:
    """Enrol, claim, a paid order in a campaign without a hold (the reward is issued at once),
    then its refund (the reward clawed back)."""
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    assert client.convert("5", "marco@example.com").body["status"] == "queued"
    client.run_worker()
    assert client.signed("/refunds", {"order_id": "5"}).status == 202
    return code


def queue_depth(client, queue: str) -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=client.stack.ref(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_referral_is_told_to_each_endpoint_that_wants_each_step_signed(client, receiver):
    referral_issued_then_refunded(client)
    client.run_publish()
    client.run_delivery()
    # the referrer's credit and the friend's coupon are each held, then issued (no hold period)
    assert receiver.types("books") == sorted(
        ["referrer.enrolled", "referral.claimed", "order.attributed", "reward.clawed_back"]
        + ["reward.held", "reward.issued"] * 2
    )
    assert receiver.types("payouts") == ["reward.issued"] * 2  # it asked for nothing else
    assert all(r["verified"] and r["attempts"] == 1 for r in receiver.check.listing())
    issued = sorted(receiver.ids("payouts"))
    assert set(issued) < receiver.ids("books")  # one event, one id, whichever endpoint it goes to
    body = json.loads(receiver.bodies[issued[0]])
    assert body["type"] == "reward.issued"
    assert body["data"]["campaign"] == "instant"
    assert body["data"]["reward_id"].startswith("rw_")
    assert queue_depth(client, "EventQueue") == 0


def test_a_stream_batch_handed_over_again_queues_its_events_again_under_the_same_ids(client, receiver):
    client.enrol("anna@example.com", campaign="gift")
    client.run_publish()
    client.run_delivery()
    first = receiver.ids("books")
    client.events._positions.clear()  # as a retried batch: the same records again
    client.run_publish()
    client.run_delivery()
    assert receiver.ids("books") == first
    assert [r["attempts"] for r in receiver.check.listing()] == [2]  # the receiver keeps one


def test_an_event_is_delivered_once_per_id_when_the_receiver_fails_twice_then_answers(client, receiver):
    receiver.fail_first = {"books": 2, "payouts": 2}
    referral_issued_then_refunded(client)
    client.run_publish()
    answers = client.run_delivery(max_rounds=10)
    ids = receiver.ids("books")
    assert len(ids) == 8
    assert {receiver.attempts["books", event] for event in ids} == {3}  # two failures, one success
    assert [r["attempts"] for r in receiver.check.listing()] == [1] * 10  # 8 for books, 2 for payouts
    assert all(r["verified"] for r in receiver.check.listing())
    assert sum(len(a["batchItemFailures"]) for a in answers) == 2 * 10
    assert queue_depth(client, "EventQueue") == 0


def test_one_endpoint_that_fails_is_retried_alone(client, receiver):
    receiver.fail_first = {"books": 1}
    referral_issued_then_refunded(client)
    client.run_publish()
    client.run_delivery(max_rounds=10)
    for issued in receiver.ids("payouts"):
        assert receiver.attempts["payouts", issued] == 1
        assert receiver.attempts["books", issued] == 2


def test_an_event_the_receiver_never_takes_lands_in_the_dead_letter_queue_with_its_id(client, receiver):
    receiver.fail_first = {"books": 1000}
    client.enrol("anna@example.com", campaign="gift")
    client.run_publish()
    sqs = aws.client("sqs")
    url = client.stack.ref("EventQueue")
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    tries = json.loads(policy["Attributes"]["RedrivePolicy"])["maxReceiveCount"]
    assert tries == 8  # the template's
    dead_letters = client.stack.ref("EventDeadLetterQueue")

    def dead_lettered() -> list[dict[str, str]]:
        client.run_delivery(max_rounds=1)
        return sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10).get("Messages", [])

    (dead,) = poll(dead_lettered, timeout=30, every=0)
    (event,) = receiver.ids("books")
    assert receiver.attempts["books", event] == tries  # the same webhook-id every time
    assert json.loads(dead["Body"])["id"] == event
    assert receiver.check.listing() == []  # nothing the receiver took


def test_a_failed_delivery_is_out_of_sight_for_the_backoff_before_its_next_try(client, receiver, monkeypatch):
    monkeypatch.setenv("EVENT_RETRY_SECONDS", "30")
    wiring.reset()
    receiver.fail_first = {"books": 1}
    client.enrol("anna@example.com", campaign="gift")
    client.run_publish()
    (answer,) = client.run_delivery()
    assert len(answer["batchItemFailures"]) == 1
    assert client.run_delivery() == []  # still on the queue, but not visible for 30 s
    assert queue_depth(client, "EventQueue") == 1


def test_an_endpoint_without_a_secret_is_retried_not_sent_unsigned(client, receiver):
    aws.client("secretsmanager").put_secret_value(
        SecretId=client.stack.ref("OutgoingWebhookSecrets"), SecretString="{}"
    )
    secret_store.forget()
    client.enrol("anna@example.com", campaign="gift")
    client.run_publish()
    (answer,) = client.run_delivery(max_rounds=1)
    assert len(answer["batchItemFailures"]) == 1
    assert receiver.attempts == Counter()


def test_clicks_and_the_counters_own_writes_never_reach_the_event_publisher(client, receiver):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.run_publish()
    for visitor in range(1, 6):
        client.call("GET", f"/r/{code}", source_ip=f"198.51.100.{visitor}")
    client.run_rollup()  # writes the code's and the day's counters
    assert client.run_publish() == 0  # the filter criteria admit none of those records
