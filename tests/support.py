"""Test helpers: constants, a client for the API, and table inspection."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from passaparola import wiring
from passaparola.domain import signatures
from passaparola.storage import aws
from passaparola.storage.dynamo import from_dynamo
from passaparola_localstack import outbox
from passaparola_localstack.gateway import Gateway, HttpResponse, Runner
from passaparola_localstack.provision import Stack, new_admin_key, new_webhook_secret
from passaparola_localstack.streams import StreamMapping

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
SITE = "http://site.test"
API = "http://api.test"
SENDER = "referrals@acme-roasters.example"
WEBHOOK_SECRET = new_webhook_secret()
ADMIN_KEY = new_admin_key()
ADMIN = "boss@shop.test"  # an admin of the test brand (tests/fixtures/content/brands/test.yaml)
# Every test client sends from one address: the suite runs with limits no test reaches, and
# the tests of the limits set small ones themselves.
ROOMY_LIMITS = dict.fromkeys(
    (
        "EnrolRateLimit",
        "ClaimRateLimit",
        "CodeLookupRateLimit",
        "ClickRateLimit",
        "DataLinkRateLimit",
        "SignInRateLimit",
        "AddressRateLimit",
    ),
    "100000/60",
)


def person_key(address: str) -> str:
    """A person's key as the stack's functions write it (with the stack's pepper)."""
    return wiring.person_keys().of(address)


class Clock:
    """A settable clock, put in place of the functions' utc_now."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class Client:
    """Calls the API through the gateway: JSON in and out, and Standard Webhooks signing."""

    def __init__(self, stack: Stack, runner: Runner | None = None) -> None:
        self.stack = stack
        self.gateway = Gateway(stack, runner)
        self.stream = StreamMapping(stack, self.gateway.invoke)
        self.events = StreamMapping(stack, self.gateway.invoke, consumer="PublishEventsFunction")

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        query: str = "",
        raw: bytes | None = None,
        source_ip: str = "203.0.113.7",
        via_cloudfront: bool = True,
    ) -> Answer:
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"content-type": "application/json", "user-agent": BROWSER} | (headers or {})
        response: HttpResponse = self.gateway.http(
            method,
            path,
            query=query,
            headers=sent,
            body=payload,
            source_ip=source_ip,
            via_cloudfront=via_cloudfront,
        )
        parsed = (
            json.loads(response.body)
            if response.body and "json" in response.headers.get("content-type", "")
            else response.body
        )
        return Answer(response.status, response.headers, parsed)

    def signed(
        self,
        path: str,
        body: Any,
        *,
        secret: str = WEBHOOK_SECRET,
        msg_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> Answer:
        raw = json.dumps(body).encode()
        headers = signatures.sign(
            raw, msg_id or f"msg_{uuid.uuid4().hex}", timestamp or datetime.now(UTC), secret
        )
        return self.call("POST", path, raw=raw, headers=headers)

    def enrol(self, email: str, campaign: str = "spring", name: str | None = "Anna") -> Answer:
        return self.call("POST", "/referrers", {"campaign": campaign, "email": email, "name": name})

    def claim(self, code: str, email: str, **options: Any) -> Answer:
        return self.call("POST", "/claims", {"code": code, "email": email}, **options)

    def convert(self, order_id: str, email: str, amount: str = "49.90", **extra: Any) -> Answer:
        body = {"order_id": order_id, "email": email, "amount": amount, "currency": "EUR"} | extra
        return self.signed("/conversions", body)

    def review(self, conversion_id: str, decision: str, note: str | None = None, **signing: Any) -> Answer:
        body = {"decision": decision} | ({"note": note} if note else {})
        return self.signed(f"/reviews/{conversion_id}", body, **signing)

    def admin(
        self, method: str, path: str, body: Any = None, *, key: str = ADMIN_KEY, **options: Any
    ) -> Answer:
        """A call to the business's routes with an admin credential (the machine key by default)."""
        headers = {"authorization": f"Bearer {key}"} | options.pop("headers", {})
        return self.call(method, path, body, headers=headers, **options)

    def run_worker(self, max_rounds: int = 20) -> list[dict[str, Any]]:
        """Drain the reward queue through the worker, as the event source mapping would."""
        return self.run_queue("RewardQueue", "RewardWorkerFunction", max_rounds)

    def run_links(self) -> list[dict[str, Any]]:
        """Drain the link queue through SendLinks: the sign-in and data links asked for go out."""
        return self.run_queue("LinkQueue", "SendLinksFunction")

    def run_publish(self) -> int:
        """Drain the table's stream through the events' publisher (its own event source
        mapping, filter criteria included); how many batches it took."""
        return self.events.drain()

    def run_delivery(self, max_rounds: int = 20) -> list[dict[str, Any]]:
        """Hand the event queue to the deliverer until nothing is visible on it."""
        return self.run_queue("EventQueue", "DeliverEventsFunction", max_rounds)

    def run_queue(self, queue: str, function: str, max_rounds: int = 20) -> list[dict[str, Any]]:
        """Receive as an SQS event source mapping does, hand each batch over, and delete what
        the function did not name as failed; until nothing is visible, or `max_rounds`."""
        sqs = aws.client("sqs")
        url, arn = self.stack.ref(queue), self.stack.arn(queue)
        answers = []
        for _ in range(max_rounds):
            received = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                AttributeNames=["ApproximateReceiveCount"],
            )
            messages = received.get("Messages", [])
            if not messages:
                break
            answer = self.gateway.deliver(function, messages, arn)
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            answers.append(answer)
        return answers

    def run_rollup(self) -> int:
        """Drain the table's stream through the counters' rollup, as its event source mapping
        would (filter criteria included); how many batches it took."""
        return self.stream.drain()

    def outbox(self) -> list[dict[str, Any]]:
        """The email sent so far, oldest first: to, subject, headers, text and html."""
        from moto.core.models import DEFAULT_ACCOUNT_ID

        return outbox.sent(DEFAULT_ACCOUNT_ID, "us-east-1")


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


def table_items(stack: Stack) -> list[dict[str, Any]]:
    """Every item in the table, deserialised."""
    client = aws.client("dynamodb")
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": stack.ref("Table")}
    while True:
        page = client.scan(**kwargs)
        found += [from_dynamo(item) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def items_under(stack: Stack, prefix: str, sk_prefix: str = "") -> list[dict[str, Any]]:
    return [i for i in table_items(stack) if i["pk"].startswith(prefix) and i["sk"].startswith(sk_prefix)]


@contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    """Records every DynamoDB operation the functions make, through botocore's event hooks."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", record)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", record)


def poll(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    """Wait for `check` to return something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(every)
