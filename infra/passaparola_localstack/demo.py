"""`serve --demo`: a few referrers, clicks, claims and orders, made through the real API."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from passaparola_localstack.devpages import RunningStack, send_signed

_STATS_LINK = re.compile(r'href="([^"]*#t=[^"]*)"')
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
)


def _post(local: RunningStack, path: str, body: dict[str, Any]) -> Any:
    assert local.gateway is not None
    response = local.gateway.http(
        "POST", path, headers={"content-type": "application/json"}, body=json.dumps(body).encode()
    )
    if response.status >= 400:
        raise RuntimeError(f"demo: {path} answered {response.status}: {response.body.decode()}")
    return json.loads(response.body)


def _clicks(local: RunningStack, code: str, people: int) -> None:
    assert local.gateway is not None
    for n in range(people):
        headers = {"user-agent": BROWSERS[n % len(BROWSERS)], "accept-language": "it" if n % 3 == 0 else "en"}
        local.gateway.http("GET", f"/r/{code}", headers=headers, source_ip=f"198.51.100.{n + 1}")
    local.gateway.http(
        "GET", f"/r/{code}", headers={"user-agent": "WhatsApp/2.24.1 A"}, source_ip="203.0.113.9"
    )


def seed(local: RunningStack) -> dict[str, str]:
    """Returns each demo referrer's private stats link (from their welcome email)."""
    anna = _post(
        local,
        "/referrers",
        {"campaign": "spring", "email": "anna@example.com", "name": "Anna", "locale": "en"},
    )
    marco = _post(
        local,
        "/referrers",
        {"campaign": "club", "email": "marco@example.com", "name": "Marco", "locale": "it"},
    )
    _clicks(local, anna["code"], 14)
    _clicks(local, marco["code"], 5)
    for friend in ("giulia@example.com", "luca@example.com", "sara@example.com", "paolo@example.com"):
        _post(local, "/claims", {"code": anna["code"], "email": friend})
    _post(local, "/claims", {"code": marco["code"], "email": "elena@example.com", "locale": "it"})
    orders = [
        ("demo-1001", "giulia@example.com", "42.00"),
        ("demo-1002", "luca@example.com", "27.50"),
        ("demo-1003", "sara@example.com", "12.00"),  # below the 20 EUR minimum: rejected, with the reason
        ("demo-2001", "elena@example.com", "19.00"),
    ]
    for order_id, email, amount in orders:
        send_signed(
            local, "/conversions", {"order_id": order_id, "email": email, "amount": amount, "currency": "EUR"}
        )
    send_signed(local, "/refunds", {"order_id": "demo-1002"})
    links: dict[str, str] = {}
    for mail in local.outbox():
        found = _STATS_LINK.search(mail["html"])
        if found and mail["to"][0] in ("anna@example.com", "marco@example.com"):
            links.setdefault(mail["to"][0], html.unescape(found.group(1)))
    return links
