"""Shared fixtures: compiled test rules, a moto stack built from the template, and a client
that calls the real handlers through the same gateway the local stack uses."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from passaparola import wiring
from passaparola.storage import secret_store
from passaparola_build.rules import build_rules
from passaparola_localstack import moto_speedups, motoserver
from passaparola_localstack.gateway import sandboxes
from passaparola_localstack.provision import Stack
from passaparola_localstack.sandbox import SandboxPool
from tests.moto_stack import SessionStack
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

# Every test's moto, in process or served, answers DynamoDB reads without walking each
# attribute value through the model (moto_speedups says why).
moto_speedups.install()


# Files whose tests share a costly session fixture: each set runs on one worker, which builds
# the fixture once. Every other file is a scope of its own (xdist's loadscope), so a module's
# own fixtures are built once too.
SHARED_SCOPES = {
    "tests/e2e/test_browser.py": "a local stack and its browser",
    "tests/e2e/test_console.py": "a local stack and its browser",
    "tests/e2e/test_widget.py": "a local stack and its browser",
    "tests/e2e/": "a local stack, over HTTP",
    "tests/infra/test_lambda_artifact.py": "the Lambda artifacts",
    "tests/infra/test_function_environments.py": "the Lambda artifacts",
}


class SharedFixtureScheduling(LoadScopeScheduling):
    """xdist's loadscope, by test file, but with the files of SHARED_SCOPES together. (xdist's
    own loadgroup cannot do this on pytest 9: the group it appends to a test's id is lost.)"""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.partition("::")[0]
        return next((scope for prefix, scope in SHARED_SCOPES.items() if path.startswith(prefix)), path)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> SharedFixtureScheduling:
    return SharedFixtureScheduling(config, log)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than there are cores while a core is free. The end-to-end
    scopes spend about a fifth of their time waiting for the local stack and the browser, which
    the extra worker fills: on two quiet cores the suite took 240 s instead of 296. On a machine
    others keep busy there is nothing to fill, and the extra worker only slowed the local
    stack's answers past its 30 s wait for a sandbox."""
    cores = os.cpu_count() or 1
    return cores + 1 if _idle_cores(cores) >= 0.5 else cores


def _idle_cores(cores: int) -> float:
    """How many cores were idle over a quarter of a second (Linux's /proc/stat; elsewhere, all)."""
    try:
        before = _cpu_times()
        time.sleep(0.25)  # a measurement window, not a wait for state
        after = _cpu_times()
    except OSError:
        return float(cores)
    spent = [b - a for a, b in zip(before, after, strict=True)]
    idle = spent[3] + spent[4]  # idle and iowait
    return cores * idle / max(sum(spent), 1)


def _cpu_times() -> list[int]:
    with open("/proc/stat", encoding="ascii") as stat:
        return [int(field) for field in stat.readline().split()[1:]]


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


@pytest.fixture(scope="session")
def _session_stack() -> SessionStack:
    return SessionStack(
        {"SiteUrl": SITE, "ApiUrl": API, "MailFrom": SENDER} | ROOMY_LIMITS,
        {"WebhookSecret": WEBHOOK_SECRET, "AdminKeysSecret": ADMIN_KEY},
        SENDER,
    )


@contextmanager
def _fresh(monkeypatch: pytest.MonkeyPatch, session_stack: SessionStack, rules: Path) -> Iterator[Stack]:
    with session_stack.fresh() as stack:
        for name, value in stack.union_environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("RULES_PATH", str(rules))
        _forget_services()
        yield stack


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, _session_stack: SessionStack, rules_path: Path) -> Iterator[Stack]:
    """The template's resources on moto, in process (fast; not for concurrency), empty."""
    with _fresh(monkeypatch, _session_stack, rules_path) as fresh:
        yield fresh


@pytest.fixture(scope="session")
def moto_server() -> Iterator[motoserver.SerialMotoServer]:
    server = motoserver.start()
    yield server
    server.stop()


@pytest.fixture
def served_stack(
    monkeypatch: pytest.MonkeyPatch,
    _session_stack: SessionStack,
    rules_path: Path,
    moto_server: motoserver.SerialMotoServer,
) -> Iterator[Stack]:
    """The same resources, reached through a moto server in this process that answers one
    request at a time, so conditional writes are atomic as in DynamoDB: for concurrency tests."""
    with _fresh(monkeypatch, _session_stack, rules_path) as fresh:
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
        yield fresh


@pytest.fixture
def client(stack: Stack) -> Client:
    return Client(stack)


@pytest.fixture(scope="session")
def _sandbox_pools() -> Iterator[dict[int, SandboxPool]]:
    """Sandboxes outlive a test, as warm Lambda sandboxes outlive a request: one pool for each
    time the stack is built (their environment names its resources)."""
    pools: dict[int, SandboxPool] = {}
    yield pools
    for pool in pools.values():
        pool.close()


@pytest.fixture
def served_client(
    served_stack: Stack,
    _session_stack: SessionStack,
    _sandbox_pools: dict[int, SandboxPool],
    moto_server: motoserver.SerialMotoServer,
    rules_path: Path,
) -> Client:
    """A client whose calls run in Lambda-like sandbox processes (several per function, each
    with only its template environment) against the one-request-at-a-time moto server."""
    if _session_stack.provisioned not in _sandbox_pools:
        for stale in _sandbox_pools.values():
            stale.close()
        _sandbox_pools.clear()
        _sandbox_pools[_session_stack.provisioned] = sandboxes(
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
    return Client(served_stack, _sandbox_pools[_session_stack.provisioned])
