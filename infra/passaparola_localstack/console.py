"""What `passaparola serve` and `passaparola store` print and ask, around the local stack."""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib import request
from urllib.error import HTTPError

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from passaparola.domain import signatures
from passaparola.domain.campaign import Rules
from passaparola_build import content
from passaparola_localstack import demo, shop_samples
from passaparola_localstack.serve import STATE, LocalStack

console = Console()
PLATFORM_NAMES = {"stripe": "Stripe", "shopify": "Shopify", "woocommerce": "WooCommerce"}


def _shop(local: LocalStack) -> list[str]:
    """The platform played, on a line of its own, then its dev API key, its name first."""
    platform, shop = local.shop_platform, local.shop
    # The payouts provider's dev key, when the brand file names Tremendous.
    payouts = [f"Tremendous key {local.tremendous.key}"] if local.payouts_provider == "tremendous" else []
    if platform is None or shop is None:
        return ["Shop none (coupons by hand; --shop stripe, woocommerce or shopify plays one)", *payouts]
    return [
        f"Shop {platform}",
        f"{PLATFORM_NAMES[platform]} key {shop.key}",
        *payouts,
        f"Shop's coupons {local.url}/_local/shop.json",
        f"Checkout {local.url}/_local/checkout/",
    ]


def serve(
    port: int,
    *,
    seed: bool = False,
    release_every: float = 10.0,
    state_dir: Path | None = None,
    parameters: dict[str, str] | None = None,
    shop_origins: tuple[str, ...] = (),
    shop: str | None = None,
) -> int:
    local = LocalStack(
        port=port,
        release_every=release_every,
        state_dir=state_dir or STATE,
        parameters=parameters or {},
        shop_origins=shop_origins,
        play_shop=shop,
    )
    try:
        local.bind()
    except OSError as exc:
        console.print(f"[red]Cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port[/red]")
        return 1
    # From here on, `kill` stops as cleanly as Ctrl-C, while starting too: the sandboxes go, and
    # state.json with them.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as bar:
            step = bar.add_task("Building the site and the campaign rules (Pelican)")
            pages = local.build()
            bar.update(step, description=f"Built {pages} pages and the campaign rules", completed=1, total=1)
            step = bar.add_task("Creating tables, queues and secrets from infra/template.yaml on moto")
            local.start_aws()
            bar.update(step, completed=1, total=1)
            step = bar.add_task("Starting the functions' sandboxes (warming in the background)")
            local.start_functions()
            bar.update(step, completed=1, total=1)
            local.start_serving()
            if seed:
                step = bar.add_task("Seeding demo referrers, clicks, claims and orders")
                links = demo.seed(local)
                bar.update(step, completed=1, total=1)
    except content.ContentError as exc:
        console.print(f"[red]{exc}[/red]")
        local.stop()
        return 1
    except KeyboardInterrupt:
        console.print("Stopping...")
        local.stop()
        return 0
    except BaseException:
        local.stop()
        raise
    lines = [
        f"Site        {local.url}/",
        f"API         {local.url}",
        f"OpenAPI     {local.url}/openapi.json",
        f"Outbox      {local.url}/_local/   (email sent, and a test store)",
        f"Store's dev signing secret  {local.webhook_secret}",
        *(f"{PLATFORM_NAMES[platform]} secret {value}" for platform, value in local.platform_secrets.items()),
        f"Admin key   {local.admin_key}",
        *_event_secrets(local),
        f"Admins      {_admins(local)} (console sign-in links land in the outbox)",
        f"Your data   {local.url}/en/my-data/ (data links land in the outbox)",
        f"Limits      {_limits(local)} (--parameter to change)",
        f"Shop origins {' '.join(local.allowed_shop_origins) or 'none'} (may embed /widget.js)",
        *_shop(local),
    ]
    if seed:
        lines += [f"Stats page of {who}  {link}" for who, link in links.items()]
    # Plain lines, never wrapped by us nor boxed: a URL, key or secret copied from the terminal
    # is whole, with nothing of a border in it.
    console.rule("passaparola is running")
    for line in lines:
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    console.rule("Ctrl-C stops it")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("Stopping...")
    finally:
        local.stop()
    return 0


def _limits(local: LocalStack) -> str:
    assert local.stack is not None
    routes = {"enrol": "EnrolRateLimit", "claims": "ClaimRateLimit", "codes": "CodeLookupRateLimit"}
    routes |= {"clicks": "ClickRateLimit", "data links": "DataLinkRateLimit", "sign-in": "SignInRateLimit"}
    per_client = ", ".join(f"{route} {local.stack.ref(parameter)} s" for route, parameter in routes.items())
    per_address = local.stack.ref("AddressRateLimit")
    return f"{per_client} per client; data links and sign-in {per_address} s per address"


def _admins(local: LocalStack) -> str:
    """Who may sign in to the console: the brand files' admins, from the rules just built."""
    admins = sorted(Rules.model_validate_json(local.rules_path.read_bytes()).admins)
    return ", ".join(admins) or "nobody yet: add admins: to a brand file"


def _event_secrets(local: LocalStack) -> list[str]:
    """Each event endpoint's dev secret, as its receiver is given it, then where the test
    store's receiver lists what it took (it checks every delivery with those secrets)."""
    secrets = local.events.secrets
    if not secrets:
        return ["Events      no endpoint yet: add webhooks: to a brand file"]
    return [
        *(f"Events secret {value}" for value in secrets.values()),
        f"Events      {local.url}/_local/events.json (endpoints {', '.join(secrets)}, in that order)",
    ]


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def store(args: argparse.Namespace) -> int:
    state_file = (args.state_dir or STATE) / "state.json"
    if not state_file.is_file():
        console.print("[red]No local stack is running; start one with ./passaparola serve[/red]")
        return 1
    state = json.loads(state_file.read_text(encoding="utf-8"))
    if args.kind in shop_samples.EVENTS:
        return _platform_store(args, state)
    if args.event:
        console.print(
            f"[red]{args.kind} takes no event; the platforms' do (stripe, shopify, woocommerce)[/red]"
        )
        return 2
    if not args.order_id:
        console.print("[red]--order-id is required[/red]")
        return 2
    if args.kind == "refund":
        path, payload = "/refunds", {"order_id": args.order_id}
    else:
        if not args.email:
            console.print("[red]--email is required for a conversion[/red]")
            return 2
        path = "/conversions"
        payload = {
            "order_id": args.order_id,
            "email": args.email,
            "amount": args.amount,
            "currency": args.currency,
        }
        if args.code or args.coupon:
            payload["code"] = args.code or args.coupon
        if args.locale:
            payload["locale"] = args.locale
        if args.satisfaction is not None:
            payload["satisfaction"] = args.satisfaction
    raw = json.dumps(payload).encode()
    headers = signatures.sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), state["webhook_secret"])
    return _send(state["url"] + path, raw, headers | {"content-type": "application/json"})


def _platform_store(args: argparse.Namespace, state: dict[str, Any]) -> int:
    """One of the platform's sample events, signed with its dev secret, as the platform sends it."""
    events = shop_samples.EVENTS[args.kind]
    if args.event not in events:
        console.print(f"[red]Which {args.kind} event? One of: {', '.join(events)}[/red]")
        return 2
    needs_email = args.event in ("checkout-completed", "orders-paid", "order-paid")
    if needs_email and not args.email:
        console.print(f"[red]--email is required for {args.event}[/red]")
        return 2
    order = shop_samples.Order(
        order_id=args.order_id or shop_samples.new_order_id(args.kind),
        email=args.email or "",
        amount=Decimal(args.amount),
        currency=args.currency,
        code=args.code,
        coupon=args.coupon,
        locale=args.locale,
    )
    try:
        sent = shop_samples.delivery(
            args.kind, args.event, order, state["platform_secrets"][args.kind], int(time.time())
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    console.print(f"{PLATFORM_NAMES[args.kind]} {args.event}, order {order.order_id}")
    return _send(state["url"] + sent.path, sent.body, sent.headers)


def _send(url: str, raw: bytes, headers: dict[str, str]) -> int:
    sent = request.Request(url, data=raw, headers=headers)  # noqa: S310 - the local stack's own URL
    try:
        with request.urlopen(sent, timeout=30) as answer:  # noqa: S310 - the local stack's own URL
            console.print(f"{answer.status} {answer.read().decode()}")
    except HTTPError as exc:
        console.print(f"[red]{exc.code} {exc.read().decode()}[/red]")
        return 1
    return 0
