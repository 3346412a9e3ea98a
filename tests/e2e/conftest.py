"""The local stack as a user runs it (`passaparola serve`), in its own process, on a free port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from passaparola.domain import signatures
from passaparola_tools.chromium import ARGS, CHROMIUM
from tests.support import ROOMY_LIMITS, ROOT, poll


@dataclass
class Running:
    url: str
    webhook_secret: str
    platform_secrets: dict[str, str]
    admin_key: str
    state: Path  # serve's --state-dir: its state.json, and serve.log with what it printed
    process: subprocess.Popen[str]

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=raw, headers={"content-type": "application/json"} | (headers or {})
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def store(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """A signed webhook from a test store, with the dev secret the stack printed."""
        raw = json.dumps(body).encode()
        headers = signatures.sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), self.webhook_secret)
        return self.post(path, body, headers)

    def outbox(self) -> list[dict[str, Any]]:
        status, _, body = self.get("/_local/outbox.json")
        assert status == 200
        mails: list[dict[str, Any]] = json.loads(body)
        return mails

    def mail_to(self, address: str, subject_part: str, timeout: float = 20) -> dict[str, Any]:
        found: dict[str, Any] = poll(
            lambda: next(
                (m for m in self.outbox() if m["to"] == [address] and subject_part in m["subject"]), None
            ),
            timeout=timeout,
        )
        return found


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    state = tmp_path_factory.mktemp("local-stack")
    log = (state / "serve.log").open("w")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "passaparola_tools.cli",
            "serve",
            "--port=0",
            f"--state-dir={state}",
            "--release-every=1",
            *(f"--parameter={name}={value}" for name, value in ROOMY_LIMITS.items()),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    state_file = state / "state.json"
    started = time.monotonic()
    try:
        poll(lambda: state_file.is_file() or process.poll() is not None, timeout=120)
        if process.poll() is not None:
            pytest.fail(f"passaparola serve exited: {(state / 'serve.log').read_text()}")
        saved = json.loads(state_file.read_text())
        running = Running(
            saved["url"],
            saved["webhook_secret"],
            saved["platform_secrets"],
            saved["admin_key"],
            state,
            process,
        )
        poll(lambda: running.get("/_local/health")[0] == 200, timeout=30)
        print(f"local stack ready in {time.monotonic() - started:.1f} s at {running.url}")
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        assert not state_file.exists(), "serve did not clean up on SIGTERM"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright, once for every browser test."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        yield launched
        launched.close()
