"""Shared fixtures: compiled test rules, a moto stack built from the template, and a client
that calls the real handlers through the same gateway the local stack uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from passaparola import wiring
from passaparola.storage import aws, secret_store
from passaparola_build.rules import build_rules
from passaparola_localstack import motoserver
from passaparola_localstack.gateway import sandboxes
from passaparola_localstack.provision import Stack, provision
from tests.support import (
    ADMIN_KEY,
    API,
    FIXTURE_CONTENT,
    ROOMY_LIMITS,
    SENDER,
    SITE,
    WEBHOOK_SECRET,
    Client,
    Clock,
)

# What the markers promise: tests/markers.py (pytester tests them).
pytest_plugins = ["pytester", "tests.markers"]


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
    _forget_services()
    yield
    _forget_services()


def _forget_services() -> None:
    """Each test starts with fresh services and secrets, as after a cold start."""
    wiring.reset()
    secret_store.forget()


def _forget_clients() -> None:
    """AWS clients keep their endpoint; switching between moto in process and the moto server
    needs new ones."""
    aws.reset()
    secret_store.forget()


@pytest.fixture(scope="session")
def rules_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rules compiled from the test campaigns (tests/fixtures/content), one per behaviour."""
    path = tmp_path_factory.mktemp("rules") / "rules.json"
    build_rules(FIXTURE_CONTENT, path)
    return path


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(wiring, "utc_now", fake)
    wiring.reset()
    return fake


def _provision(monkeypatch: pytest.MonkeyPatch, rules: Path) -> Stack:
    stack = provision(
        {"SiteUrl": SITE, "ApiUrl": API, "MailFrom": SENDER} | ROOMY_LIMITS,
        secret_values={"WebhookSecret": WEBHOOK_SECRET, "AdminKeysSecret": ADMIN_KEY},
    )
    aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    for name, value in stack.union_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RULES_PATH", str(rules))
    _forget_services()
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
    _forget_clients()


@pytest.fixture
def client(stack: Stack) -> Client:
    return Client(stack)


@pytest.fixture
def served_client(
    served_stack: Stack, moto_server: motoserver.SerialMotoServer, rules_path: Path
) -> Iterator[Client]:
    """A client whose calls run in Lambda-like sandbox processes (several per function, each
    with only its template environment) against the one-request-at-a-time moto server."""
    pool = sandboxes(
        served_stack,
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto_server.url,
            "RULES_PATH": str(rules_path),
            "POWERTOOLS_METRICS_DISABLED": "true",
        },
        max_per_function=8,
    )
    yield Client(served_stack, pool)
    pool.close()
