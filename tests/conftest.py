"""Shared fixtures: compiled sample rules, a moto stack built from the template, and a client
that calls the real handlers through the same gateway the local stack uses."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from passaparola import content, wiring
from passaparola.domain import signatures
from passaparola.storage import aws
from passaparola_local import motoserver
from passaparola_local.gateway import Gateway, HttpResponse
from passaparola_local.provision import Stack, new_webhook_secret, provision

ROOT = Path(__file__).resolve().parents[1]
SITE = "http://site.test"
API = "http://api.test"
SENDER = "referrals@acme-roasters.example"
WEBHOOK_SECRET = new_webhook_secret()


@pytest.fixture(autouse=True)
def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Passaparola",
        "POWERTOOLS_SERVICE_NAME": "tests",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    _forget_clients()
    yield
    _forget_clients()


def _forget_clients() -> None:
    aws.reset()
    wiring.reset()
    parameters.clear_caches()
    parameters.base.DEFAULT_PROVIDERS.clear()


@pytest.fixture(scope="session")
def rules_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "rules.json"
    content.build_rules(ROOT / "content", path)
    return path


def _provision(monkeypatch: pytest.MonkeyPatch, rules: Path) -> Stack:
    stack = provision(
        {"SiteUrl": SITE, "ApiUrl": API, "MailFrom": SENDER},
        secret_values={"WebhookSecret": WEBHOOK_SECRET},
    )
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    for name, value in stack.union_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RULES_PATH", str(rules))
    _forget_clients()
    return stack


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, rules_path: Path) -> Iterator[Stack]:
    """The template's resources on moto, in process (fast; not for concurrency)."""
    with mock_aws():
        yield _provision(monkeypatch, rules_path)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[motoserver.SerialMotoServer]:
    server = motoserver.start()
    yield server
    server.stop()


@pytest.fixture
def served_stack(
    monkeypatch: pytest.MonkeyPatch, rules_path: Path, moto_server: motoserver.SerialMotoServer
) -> Iterator[Stack]:
    """The template's resources on a moto server that answers one request at a time, so
    conditional writes are atomic as in DynamoDB: for concurrency tests."""
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    _forget_clients()
    yield _provision(monkeypatch, rules_path)
    moto_server.reset()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class Client:
    """Calls the API through the gateway: JSON in and out, and Standard Webhooks signing."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.gateway = Gateway(stack)

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
    ) -> Answer:
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = {"content-type": "application/json", "user-agent": BROWSER} | (headers or {})
        response: HttpResponse = self.gateway.http(
            method, path, query=query, headers=sent, body=payload, source_ip=source_ip
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

    def claim(self, code: str, email: str) -> Answer:
        return self.call("POST", "/claims", {"code": code, "email": email})

    def convert(self, order_id: str, email: str, amount: str = "49.90", **extra: Any) -> Answer:
        body = {"order_id": order_id, "email": email, "amount": amount, "currency": "EUR"} | extra
        return self.signed("/conversions", body)

    def run_worker(self, max_rounds: int = 20) -> list[dict[str, Any]]:
        """Drain the reward queue through the worker, as the event source mapping would."""
        sqs = boto3.client("sqs", region_name="us-east-1")
        url, arn = self.stack.ref("RewardQueue"), self.stack.arn("RewardQueue")
        answers = []
        for _ in range(max_rounds):
            received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = received.get("Messages", [])
            if not messages:
                break
            answer = self.gateway.deliver("RewardWorkerFunction", messages, arn)
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            answers.append(answer)
        return answers

    def outbox(self) -> list[dict[str, Any]]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return [
            {"to": m.destinations["ToAddresses"], "subject": m.subject, "body": m.body}
            for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        ]


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


@pytest.fixture
def client(stack: Stack) -> Client:
    return Client(stack)


@pytest.fixture
def served_client(served_stack: Stack) -> Client:
    return Client(served_stack)


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
