"""The local stack as a user runs it (`passaparola serve`), in its own process, on a free port."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

from passaparola.domain import signatures
from passaparola_tools.chromium import ARGS, CHROMIUM
from tests.support import ROOMY_LIMITS, ROOT, poll


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis names each operation's test `name[METHOD /path]`, but on pytest 9 the test's
    id keeps only `name`: two dozen tests with one id, which xdist, keeping tests by id, would run
    as one. Each gets its operation in its id, as pytest's own parametrised tests have."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(label)  # type: ignore[attr-defined]


# Longer than the local stack's own wait for a free sandbox (30 s, API Gateway's limit): on a
# busy machine a burst may queue that long, and then the stack's answer says what happened.
ANSWER_WITHIN = 60


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
            with urllib.request.urlopen(request, timeout=ANSWER_WITHIN) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=raw, headers={"content-type": "application/json"} | (headers or {})
        )
        try:
            with urllib.request.urlopen(request, timeout=ANSWER_WITHIN) as answer:
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


# A shop's own stylesheet at its most careless: were the panel not in a shadow root, its text
# and buttons would turn magenta on black and its fields vanish.
SHOP_CSS = (
    b"* { color: #f0f !important; background: #000 !important; font-size: 9px !important; }"
    b" input { display: none !important; }"
)


class _ShopPage(BaseHTTPRequestHandler):
    """A shop's order-confirmation page, from another origin than the local stack's, under a
    strict CSP: `/?widget=<URL of widget.js>&campaign=&lang=&email=` embeds the panel as the
    README says; the policy allows the widget's origin for scripts and fetches, data: images
    (the QR) and the shop's own stylesheet, and no inline anything."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/shop.css":
            self._send(200, "text/css", SHOP_CSS, {})
            return
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        widget = query.pop("widget", "")
        ours = "{0.scheme}://{0.netloc}".format(urlsplit(widget))
        attributes = "".join(f' data-{name}="{html.escape(value)}"' for name, value in query.items())
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<title>Thank you for your order</title><link rel="stylesheet" href="/shop.css">'
            "</head><body><h1>Thank you for your order</h1>"
            f'<script src="{html.escape(widget)}"{attributes} async></script></body></html>'
        )
        policy = (
            f"default-src 'none'; script-src {ours}; connect-src {ours}; img-src data:; "
            "style-src 'self'; base-uri 'none'; form-action 'none'; "
            "require-trusted-types-for 'script'; trusted-types 'none'"
        )
        self._send(200, "text/html; charset=utf-8", page.encode(), {"Content-Security-Policy": policy})

    def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": kind, "Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@dataclass(frozen=True)
class ShopSites:
    listed: str  # an origin the local stack lets embed /widget.js (serve --shop-origin)
    unlisted: str  # another loopback origin, on no list


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright, once for every browser test."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shop_sites() -> Iterator[ShopSites]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _ShopPage) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    listed, unlisted = (f"http://127.0.0.1:{server.server_address[1]}" for server in servers)
    yield ShopSites(listed, unlisted)
    for server in servers:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(state: Path, *options: str) -> Iterator[Running]:
    """`passaparola serve` with these options, its state in `state`, until the block ends."""
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
            *options,
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
        # Ready as a person sees it: the banner printed whole, which tests read.
        poll(lambda: "Ctrl-C stops it" in (state / "serve.log").read_text(), timeout=30)
        print(f"local stack ready in {time.monotonic() - started:.1f} s at {running.url}")
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        assert not state_file.exists(), "serve did not clean up on SIGTERM"


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory, shop_sites: ShopSites) -> Iterator[Running]:
    state = tmp_path_factory.mktemp("local-stack")
    with serving(state, f"--shop-origin={shop_sites.listed}", "--shop=stripe") as running:
        yield running


@pytest.fixture(scope="session")
def playing(
    local_stack: Running, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Running]]:
    """The local stack playing a shop platform: `local_stack` for Stripe; for another, a stack
    of its own, started on first use (a stack plays one platform, as a brand has one shop)."""
    started = {"stripe": local_stack}
    with ExitStack() as stacks:

        def stack_playing(platform: str) -> Running:
            if platform not in started:
                state = tmp_path_factory.mktemp(f"local-{platform}")
                started[platform] = stacks.enter_context(serving(state, f"--shop={platform}"))
            return started[platform]

        yield stack_playing
