"""`passaparola serve`: the whole product on one laptop.

The site is built with Pelican, moto answers for AWS on 127.0.0.1 (one request at a time, so
conditional writes are atomic as in DynamoDB), tables, queues and secrets are created from
infra/template.yaml, and one local port serves the pages and the API. API requests become
API Gateway HTTP API events for the real handlers, each run in Lambda-like sandboxes with its
own function's environment (the click recorder as CloudFront's function-URL behaviour would
call it). Pollers hand each queue to its worker (rewards, links to send, events to deliver) and
the table's stream to the counters' rollup and to the events' publisher, the way the
template's event source mappings would; the release schedule runs on a short interval,
outgoing email is kept in an outbox page, and outgoing events are delivered to the
test store's receiver (receiver.py).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from passaparola.domain.campaign import Rules, Shop
from passaparola.storage import aws
from passaparola_build import paths, site_policy
from passaparola_build.site_build import build_site
from passaparola_localstack import (
    checkout,
    devpages,
    motoserver,
    outbox,
    shop_samples,
    shopify_fake,
    tremendous_fake,
    woocommerce_fake,
)
from passaparola_localstack import template as cfn
from passaparola_localstack.gateway import Gateway, sandboxes
from passaparola_localstack.provision import (
    PLATFORM_SECRETS,
    Stack,
    new_admin_key,
    new_platform_secrets,
    new_webhook_secret,
    provision,
)
from passaparola_localstack.receiver import EventReceiver, point_webhooks
from passaparola_localstack.sandbox import SandboxPool
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.streams import StreamMapping
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.tremendous_fake import TremendousFake
from passaparola_localstack.woocommerce_fake import WooCommerceFake

STATE = paths.BUILD / "local"
SENDER = "referrals@passaparola.localhost"
REGION = "us-east-1"
# A poller that found nothing asks again after a fifth of a second if moto was written to since
# it asked, else once it is (each write would otherwise wake every poller at once), and after
# two seconds anyway: a message comes back into sight when its visibility timeout ends.
POLL_INTERVAL = 0.2
POLL_AT_LEAST_EVERY = 2.0
_JSON = {"Content-Type": "application/json"}
# /_local/<platform>/<the platform's own path>: the platforms' APIs, as the functions call them.
_PLAYED = re.compile(r"^/_local/(stripe|woocommerce|shopify|tremendous)(/.*)$")


class PlayedApi(Protocol):
    """A platform's API as the local stack plays it."""

    key: str

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]: ...

    def fail(self, times: int) -> None: ...

    def objects(self) -> list[dict[str, Any]]: ...


class ShopFake(PlayedApi, checkout.Checkout, Protocol):
    """A shop platform's: its API, and its checkout."""


def _https(address: str) -> str:
    return "https://" + urlsplit(address).netloc


_STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
}


@dataclass
class LocalStack:
    """Everything `serve` runs, startable and stoppable as one piece (tests use it too)."""

    port: int = 8000
    release_every: float = 10.0
    sandboxes_per_function: int = 2
    content: Path = paths.CONTENT
    state_dir: Path = STATE
    url: str = ""
    webhook_secret: str = field(default_factory=new_webhook_secret)
    # Each shop platform's dev signing secret, by platform (stripe, shopify, woocommerce).
    platform_secrets: dict[str, str] = field(default_factory=new_platform_secrets)
    admin_key: str = field(default_factory=new_admin_key)
    # The test store's receiver of outgoing events, with each endpoint's dev secret (by id).
    events: EventReceiver = field(default_factory=lambda: EventReceiver({}))
    # Template parameters, as `sam deploy --parameter-overrides` takes them (e.g. the limits).
    parameters: dict[str, str] = field(default_factory=dict)
    # Origins besides the brand files' shop_origins whose pages may embed /widget.js here.
    shop_origins: tuple[str, ...] = ()
    # The shop platform played here in place of the brand file's (`serve --shop`).
    play_shop: str | None = None
    # The shop platforms' APIs, played here.
    shops: dict[str, ShopFake] = field(
        default_factory=lambda: {
            "stripe": StripeFake(),
            "woocommerce": WooCommerceFake(),
            "shopify": ShopifyFake(),
        }
    )
    # The payouts provider's, played whenever the brand file names it.
    tremendous: TremendousFake = field(default_factory=TremendousFake)
    stack: Stack | None = None
    gateway: Gateway | None = None
    _moto: motoserver.SerialMotoServer | None = None
    _pool: SandboxPool | None = None
    _http: ThreadingHTTPServer | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)

    # --- start and stop ----------------------------------------------------------------------

    def bind(self) -> None:
        """Take the port first, so a busy port fails before any slow work."""
        self._http = _Server(("127.0.0.1", self.port), _handler_for(self))
        self.port = self._http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def build(self) -> int:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        built = build_site(
            self.site_dir, api_url="", site_url=self.url, content=self.content, rules_path=self.rules_path
        )
        if self.shop_origins:
            self._add_shop_origins()
        if self.play_shop:
            self._play_shop(self.play_shop)
        self.events = EventReceiver(point_webhooks(self.rules_path, self.url))
        return built.pages

    def _add_shop_origins(self) -> None:
        """Every brand of the compiled rules also takes `shop_origins` (as browsers write them:
        `passaparola serve` checks them as the build checks the brand files'); a local shop's
        pages on another port are another origin."""
        rules = self._rules()
        brands = {
            slug: brand.model_copy(
                update={"shop_origins": tuple(dict.fromkeys([*brand.shop_origins, *self.shop_origins]))}
            )
            for slug, brand in rules.brands.items()
        }
        updated = rules.model_copy(update={"brands": brands})
        self.rules_path.write_text(updated.model_dump_json(), encoding="utf-8")

    def _play_shop(self, platform: str) -> None:
        rules = self._rules()
        brands = {
            # The address is the brand's shop; its API is the stand-in here (SHOP_API_URL).
            slug: brand.model_copy(update={"shop": Shop(platform=platform, url=_https(brand.store_url))})
            for slug, brand in rules.brands.items()
        }
        self.rules_path.write_text(
            rules.model_copy(update={"brands": brands}).model_dump_json(), encoding="utf-8"
        )

    @property
    def shop_platform(self) -> str | None:
        """The platform whose coupons the functions create here (the brand file's, or --shop)."""
        shops = {b.shop.platform for b in self._rules().brands.values() if b.shop}
        return next(iter(sorted(shops)), None)

    def played(self, platform: str) -> PlayedApi:
        return self.tremendous if platform == "tremendous" else self.shops[platform]

    @property
    def shop(self) -> ShopFake | None:
        """The stand-in of the platform played, if one is."""
        platform = self.shop_platform
        return self.shops[platform] if platform else None

    @property
    def payouts_provider(self) -> str:
        """Who pays referrers' cash, gift cards and donations here (the brand file's)."""
        providers = {b.payouts.provider for b in self._rules().brands.values()}
        return "tremendous" if "tremendous" in providers else "manual"

    @property
    def allowed_shop_origins(self) -> list[str]:
        return sorted(self._rules().shop_origins)

    def _rules(self) -> Rules:
        return Rules.model_validate_json(self.rules_path.read_bytes())

    def start_aws(self) -> None:
        self._moto = motoserver.start()
        os.environ.update(self._aws_environment())
        aws.reset()
        here = {
            "SiteUrl": self.url,
            "ApiUrl": self.url,
            "MailFrom": SENDER,
            "StripeApiUrl": self.stripe_api_url,
            "TremendousApiUrl": f"{self.url}/_local/tremendous",
        }
        values = {PLATFORM_SECRETS[platform]: value for platform, value in self.platform_secrets.items()}
        self.stack = provision(
            self.parameters | here,
            secret_values=values
            | {
                "WebhookSecret": self.webhook_secret,
                "StripeApiKeySecret": shop_samples.STRIPE_API_KEY,
                "WooCommerceApiKeySecret": woocommerce_fake.KEY,
                "ShopifyApiKeySecret": shopify_fake.KEY,
                "TremendousApiKeySecret": tremendous_fake.KEY,
                "AdminKeysSecret": self.admin_key,
                "OutgoingWebhookSecrets": json.dumps(dict(self.events.secrets)),
            },
        )
        aws.client("ses").verify_email_identity(EmailAddress=SENDER)

    def start_functions(self) -> None:
        assert self.stack is not None
        environment = self._aws_environment() | {
            "RULES_PATH": str(self.rules_path),
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            # Stripe's API has a parameter of its own (StripeApiUrl); a shop's is at its address.
            "SHOP_API_URL": f"{self.url}/_local/{self.shop_platform or 'shop'}",
        }
        self._pool = sandboxes(self.stack, environment, self.sandboxes_per_function)
        self.gateway = Gateway(self.stack, self._pool)
        # Cold starts happen in the background; a request that comes first just waits for its own.
        for name in self._pool.functions:
            threading.Thread(target=self._pool.warm, args=(name,), daemon=True).start()

    def start_serving(self) -> None:
        assert self._http is not None
        self._write_state()
        assert self.stack is not None
        pollers = [
            lambda queue=queue, function=function: self._poll_queue(queue, function)
            for queue, function in cfn.queue_consumers(self.stack.template)
        ]
        targets = [
            self._http.serve_forever,
            *pollers,
            lambda: self._poll_stream("RollUpCountersFunction"),
            lambda: self._poll_stream("PublishEventsFunction"),
            self._release_held,
        ]
        for target in targets:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        if self._moto is not None:
            self._moto.writes.wrote()  # the pollers waiting for one see that they are to stop
        if self._http is not None:
            if self._threads:  # shutdown() waits for serve_forever, which runs only once serving
                self._http.shutdown()
            self._http.server_close()
        # One wait for them all: a poller in the middle of a slow invocation is a daemon thread,
        # and the process ends without it.
        deadline = time.monotonic() + 5
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._pool is not None:
            self._pool.close()
        if self._moto is not None:
            self._moto.stop()
        (self.state_dir / "state.json").unlink(missing_ok=True)

    # --- what runs while serving -----------------------------------------------------------

    def _poll_queue(self, queue: str, function: str) -> None:
        """An SQS event source mapping: batches of up to 10, partial failures left on the queue
        (out of sight for as long as the function set, or the queue's visibility timeout)."""
        assert self.stack is not None
        assert self.gateway is not None
        sqs = aws.client("sqs")
        url, arn = self.stack.ref(queue), self.stack.arn(queue)
        while not self._stopping.is_set():
            try:
                writes = self._writes_so_far()
                # No long polling: moto here answers one request at a time, and a waiting
                # receive would hold up every other call behind it.
                messages = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
                ).get("Messages", [])
                if not messages:
                    self._wait_for_a_write_after(writes)
                    continue
                answer = self.gateway.deliver(function, messages, arn)
                failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
                done = [m for m in messages if m["MessageId"] not in failed]
                if done:
                    entries = [
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                    ]
                    sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            except Exception as exc:  # keep polling, as the real mapping does; say why
                if not self._stopping.is_set():
                    print(f"{function}: {exc}", flush=True)
                    self._stopping.wait(1)

    def _poll_stream(self, function: str) -> None:
        """One of the stream's event source mappings (the counters' rollup, the events'
        publisher): each follows within a poll, not after the template's batching window."""
        assert self.stack is not None
        assert self.gateway is not None
        stream = StreamMapping(self.stack, self.gateway.invoke, consumer=function)
        while not self._stopping.is_set():
            try:
                writes = self._writes_so_far()
                if not stream.poll():
                    self._wait_for_a_write_after(writes)
            except Exception as exc:  # the same batch comes again next poll, as on AWS; say why
                if not self._stopping.is_set():
                    print(f"{function}: {exc}", flush=True)
                    self._stopping.wait(1)

    def _writes_so_far(self) -> int:
        assert self._moto is not None
        return self._moto.writes.counted()

    def _wait_for_a_write_after(self, writes: int) -> None:
        assert self._moto is not None
        if not self._stopping.wait(POLL_INTERVAL):
            self._moto.writes.wait_for_one_after(writes, POLL_AT_LEAST_EVERY - POLL_INTERVAL)

    def _release_held(self) -> None:
        assert self.gateway is not None
        while not self._stopping.wait(self.release_every):
            try:
                self.gateway.invoke(
                    "ReleaseHeldFunction", {"source": "aws.scheduler", "detail-type": "Scheduled Event"}
                )
            except Exception as exc:  # the next tick tries again, as EventBridge Scheduler would
                print(f"release schedule: {exc}", flush=True)

    # --- places and helpers ----------------------------------------------------------------

    @property
    def site_dir(self) -> Path:
        return self.state_dir / "site"

    @property
    def rules_path(self) -> Path:
        return self.state_dir / "rules.json"

    @property
    def stripe_api_url(self) -> str:
        """The stand-in of Stripe's API the functions call (devpages.stripe_api)."""
        return f"{self.url}/_local/stripe"

    def outbox(self) -> list[dict[str, Any]]:
        from moto.core.models import DEFAULT_ACCOUNT_ID

        return list(reversed(outbox.sent(DEFAULT_ACCOUNT_ID, REGION)))

    def _aws_environment(self) -> dict[str, str]:
        assert self._moto is not None
        return {
            "AWS_ENDPOINT_URL": self._moto.url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
        }

    def _write_state(self) -> None:
        """What `passaparola store` needs to sign requests to this running stack, and the admin key."""
        state = {
            "url": self.url,
            "webhook_secret": self.webhook_secret,
            "platform_secrets": self.platform_secrets,
            "admin_key": self.admin_key,
            "event_secrets": dict(self.events.secrets),
        }
        # Whole or not at all: `store` and the tests read it as soon as it is there.
        partial = self.state_dir / "state.json.partial"
        partial.write_text(json.dumps(state), encoding="utf-8")
        partial.replace(self.state_dir / "state.json")


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) overflows when a page, a test or a script opens a burst of
    # connections at once, and the kernel resets them. Linux caps this at net.core.somaxconn.
    request_queue_size = 128
    daemon_threads = True


def _handler_for(local: LocalStack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "passaparola-local"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet; the functions log what matters

        def __getattr__(self, name: str) -> Any:
            # http.server calls do_<METHOD>: every method goes to one dispatcher, never to
            # http.server's 501.
            if name.startswith("do_"):
                return self._dispatch
            raise AttributeError(name)

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0)) or None
            gateway = local.gateway
            assert gateway is not None  # serving starts once the functions have
            played = _PLAYED.match(parts.path)
            if played:
                code, found = local.played(played[1]).handle(
                    self.command, played[2], parts.query, dict(self.headers.items()), body or b""
                )
                status, headers, payload = code, _JSON, json.dumps(found).encode()
            elif (
                shop_answer := _local_shop(
                    local, self.command, parts.path, self.headers.get("content-type"), body
                )
            ) is not None:
                status, headers, payload = shop_answer
            elif parts.path.startswith("/_local/"):
                origin = self.headers.get("origin")
                status, headers, payload = devpages.answer(
                    local, self.command, parts.path, parts.query, body, origin, dict(self.headers.items())
                )
            elif self.command in ("GET", "HEAD") and not gateway.methods_for(parts.path):
                status, headers, payload = _static(local.site_dir, parts.path)
            else:
                # The API's, including methods a path does not declare: those are its JSON 404,
                # as an API Gateway HTTP API answers them, not a 405.
                response = gateway.http(
                    self.command,
                    parts.path,
                    query=parts.query,
                    headers=dict(self.headers.items()),
                    body=body,
                    source_ip=self.client_address[0],
                )
                status, headers, payload = response.status, response.headers, response.body
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

    return Handler


def _local_shop(
    local: LocalStack, command: str, path: str, content_type: str | None, body: bytes | None
) -> tuple[int, dict[str, str], bytes] | None:
    """The local shop's own routes (DESIGN.md, "Rewards in the shop"); None for any other path."""
    if path == "/_local/shop.json":
        shop = local.shop
        payouts = local.tremendous if local.payouts_provider == "tremendous" else None
        listing = {
            "platform": local.shop_platform or "none",
            "objects": [*(shop.objects() if shop else []), *(payouts.objects() if payouts else [])],
        }
        return HTTPStatus.OK, _JSON | {"Cache-Control": "no-store"}, json.dumps(listing).encode()
    if command == "POST" and path == "/_local/shop/fail":
        return _fail(local, body)
    if command == "POST" and path == "/_local/shop/customers":
        return _customer(local, body)
    if command == "POST" and path == "/_local/checkout":
        return checkout.pay(local, local.shop, content_type, body)
    if command == "POST" and path == "/_local/refund":
        return checkout.refund(local, local.shop, content_type, body)
    if command == "GET" and path in ("/_local/checkout", "/_local/checkout/"):
        return checkout.page(local.shop_platform)
    if command == "GET" and path == "/_local/checkout.js":
        return checkout.script()
    return None


def _fail(local: LocalStack, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
    """`{"times": n}`: the shop answers its platform's server error to the next n calls (0: it
    is back), to try a shop that is down; `{"times": n, "platform": "tremendous"}`: the payouts
    provider does."""
    try:
        asked = json.loads(body or b"")
        times, platform = asked["times"], asked.get("platform")
    except (ValueError, KeyError, TypeError, AttributeError):
        times, platform = None, None
    if (
        not isinstance(times, int)
        or isinstance(times, bool)
        or times < 0
        or platform not in (None, "tremendous")
    ):
        problem = {
            "error": "invalid_input",
            "message": 'send {"times": n}, n >= 0 (and "platform": "tremendous")',
        }
        return HTTPStatus.UNPROCESSABLE_ENTITY, _JSON, json.dumps(problem).encode()
    played: PlayedApi | None = local.shop
    if platform == "tremendous":
        played = local.tremendous if local.payouts_provider == "tremendous" else None
    if played is None:
        problem = {
            "error": "no_shop",
            "message": f"no {platform or 'shop'} is played here: serve --shop stripe",
        }
        return HTTPStatus.CONFLICT, _JSON, json.dumps(problem).encode()
    played.fail(times)
    return HTTPStatus.OK, _JSON, json.dumps({"failing": times}).encode()


def _customer(local: LocalStack, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
    """`{"email": ..., "subscription": "month" | "year"}`: a customer of the played shop (and, on
    Stripe, their active subscription), as a purchase would make them, so a referrer's credit or
    free month has an account to go to."""
    try:
        asked = json.loads(body or b"")
        email, interval = asked["email"], asked.get("subscription")
    except (ValueError, KeyError, TypeError, AttributeError):
        email, interval = None, None
    if not isinstance(email, str) or "@" not in email or interval not in (None, "month", "year"):
        problem = {"error": "invalid_input", "message": 'send {"email": "..."} (and "subscription": "month")'}
        return HTTPStatus.UNPROCESSABLE_ENTITY, _JSON, json.dumps(problem).encode()
    shop = local.shop
    if isinstance(shop, StripeFake):
        customer = shop.add_customer(email)
        if interval:
            shop.add_subscription(customer, interval)
    elif isinstance(shop, ShopifyFake) and interval is None:
        customer = shop.add_customer(email)
    else:
        problem = {
            "error": "no_customers",
            "message": "customers are played on Stripe (with subscriptions) and Shopify: serve --shop stripe",
        }
        return HTTPStatus.CONFLICT, _JSON, json.dumps(problem).encode()
    return HTTPStatus.CREATED, _JSON, json.dumps({"customer": customer}).encode()


def _static(root: Path, path: str) -> tuple[int, dict[str, str], bytes]:
    """A file of the built site, with the headers CloudFront's policy would add."""
    headers = {
        "Content-Security-Policy": site_policy.content_security_policy(""),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cache-Control": "no-cache",
    }
    target = (root / path.lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        missing = root / "404.html"
        body = missing.read_bytes() if missing.is_file() else b"Not found"
        return HTTPStatus.NOT_FOUND, headers | {"Content-Type": "text/html; charset=utf-8"}, body
    content_type = _STATIC_TYPES.get(target.suffix, "application/octet-stream")
    return HTTPStatus.OK, headers | {"Content-Type": content_type}, target.read_bytes()
