"""`serve --demo`: a programme that looks lived in the first time the console opens, made
through the real API (the counters follow from the stream roll-up, as on AWS).

Two campaigns: `spring` (A/B variants a and b, rewards held 14 days, a hoodie after five
friends) and `club` (a free month issued at once, for the business to give). Most friends
claim with their name, and four referrers are on their campaign's leaderboard. A few hundred
clicks from distinct visitors, each landing on the variant the click chose; one in five
claims, and more of variant b's friends order. Among the orders: some below the minimum
(rejected), refunds before the hold ends (void) and after issue (clawed back), and friends
who share the referrer's address or card (held for review, waiting for a decision).
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from passaparola_localstack.devpages import RunningStack, send_signed

_STATS_LINK = re.compile(r'href="([^"]*#t=[^"]*)"')
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
)
# (campaign, name, locale, visitors their link brings)
REFERRERS = (
    ("spring", "Anna", "en", 90),
    ("spring", "Giorgio", "it", 60),
    ("spring", "Chloé", "fr", 35),
    ("spring", "Kasia", "pl", 25),
    ("spring", "Ivan", "ru", 15),
    ("spring", "Tom", "en", 6),
    ("club", "Marco", "it", 20),
    ("club", "Elena", "it", 12),
)
# The friends' names as they typed them on the claim form (a few gave none): their referrer
# sees only the first name and initial.
FRIEND_NAMES = (
    "Giulia Conti", "Lukas Weber", None, "Sofia Marino", "Tomasz Zieliński", "Léa Martin",
    "Olga Smirnova", None, "Hugo Bernard", "Marta Kowalczyk", "Elena Ricci", "Noah",
)  # fmt: skip
# Referrers who asked to appear on their campaign's leaderboard (the others do not appear).
ON_THE_BOARD = ("anna@example.com", "giorgio@example.com", "kasia@example.com", "marco@example.com")
SHARED_ADDRESS = "1 Via Roma, 20121 Milano"
SHARED_CARD = "fp_demo_4242"


@dataclass(frozen=True)
class Visitor:
    code: str
    ip: str
    variant: str | None


# A busy machine can keep moto from answering in time (a 5xx), and an order can still be in
# progress (409, "retry shortly"); each call is safe to repeat.
ATTEMPTS = 5


def _again(status: int) -> bool:
    if status >= 500 or status == 409:
        time.sleep(1)
        return True
    return False


def _post(local: RunningStack, path: str, body: dict[str, Any], source_ip: str = "127.0.0.1") -> Any:
    assert local.gateway is not None
    raw = json.dumps(body).encode()
    for _ in range(ATTEMPTS):
        response = local.gateway.http(
            "POST", path, headers={"content-type": "application/json"}, body=raw, source_ip=source_ip
        )
        if not _again(response.status):
            break
    if response.status >= 400:
        raise RuntimeError(f"demo: {path} answered {response.status}: {response.body.decode()}")
    return json.loads(response.body)


def _signed(local: RunningStack, path: str, body: dict[str, Any]) -> Any:
    for _ in range(ATTEMPTS):
        status, answer = send_signed(local, path, body)
        if not _again(status):
            break
    if status >= 400:
        raise RuntimeError(f"demo: {path} answered {status}: {answer}")
    return answer


def _clicks(local: RunningStack, code: str, people: int, first: int) -> list[Visitor]:
    """Each visitor a distinct address; the variant is the one the click's redirect chose."""
    assert local.gateway is not None
    visitors = []
    for n in range(first, first + people):
        ip = f"198.18.{n // 250}.{n % 250 + 1}"
        headers = {"user-agent": BROWSERS[n % len(BROWSERS)], "accept-language": "it" if n % 3 == 0 else "en"}
        response = local.gateway.http("GET", f"/r/{code}", headers=headers, source_ip=ip)
        location = {k.lower(): v for k, v in response.headers.items()}.get("location", "")
        variant = parse_qs(urlsplit(location).query).get("v", [None])[0]
        visitors.append(Visitor(code, ip, variant))
    # A link preview's robot: never counted.
    local.gateway.http(
        "GET", f"/r/{code}", headers={"user-agent": "WhatsApp/2.24.1 A"}, source_ip="203.0.113.9"
    )
    return visitors


def _orders(local: RunningStack, claimed: list[tuple[Visitor, str]], prefix: str) -> list[str]:
    """Orders from the friends who claimed: variant b's friends order more often (3 in 4, a's
    1 in 2); every ninth order is below spring's 20 EUR minimum. Returns the order ids."""
    placed: list[str] = []
    for n, (visitor, email) in enumerate(claimed):
        if n % 4 == 3 or (visitor.variant != "b" and n % 2 == 1):
            continue
        amount = "15.00" if len(placed) % 9 == 8 else f"{22 + (n * 7) % 41}.{(n * 13) % 100:02d}"
        order_id = f"{prefix}-{1001 + n}"
        _signed(
            local, "/conversions", {"order_id": order_id, "email": email, "amount": amount, "currency": "EUR"}
        )
        placed.append(order_id)
    return placed


def seed(local: RunningStack) -> dict[str, str]:
    """Returns the private stats links of two demo referrers, Anna and Marco (from their
    welcome emails)."""
    codes: dict[str, str] = {}
    visitors: dict[str, list[Visitor]] = {}
    first = 0
    for n, (campaign, name, locale, people) in enumerate(REFERRERS):
        email = f"{name.lower().replace('é', 'e')}@example.com"
        enrolled = _post(
            local,
            "/referrers",
            {"campaign": campaign, "email": email, "name": name, "locale": locale},
            source_ip=f"192.0.2.{n + 1}",
        )
        codes[email] = enrolled["code"]
        visitors.setdefault(campaign, []).extend(_clicks(local, enrolled["code"], people, first))
        first += people

    claimed: dict[str, list[tuple[Visitor, str]]] = {}
    for campaign, seen in visitors.items():
        for n, visitor in enumerate(seen):
            if n % 5:
                continue
            number = len(claimed.get(campaign, []))
            email = f"friend{number + 1}.{campaign}@example.com"
            given = FRIEND_NAMES[number % len(FRIEND_NAMES)]
            body = (
                {"code": visitor.code, "email": email}
                | ({"variant": visitor.variant} if visitor.variant else {})
                | ({"name": given} if given else {})
            )
            _post(local, "/claims", body, source_ip=visitor.ip)
            claimed.setdefault(campaign, []).append((visitor, email))

    # Two friends Anna invited order only later, sharing her address or card (below).
    anna = codes["anna@example.com"]
    waiting = [(v, e) for v, e in claimed["spring"] if v.code == anna][-2:]
    spring = _orders(local, [c for c in claimed["spring"] if c not in waiting], "spring")
    club = _orders(local, claimed["club"], "club")
    _signed(local, "/refunds", {"order_id": spring[1]})  # within the hold: its reward is voided
    _signed(local, "/refunds", {"order_id": club[0]})  # after the free month was issued: clawed back

    # Anna buys for herself, shipped to her address and paid with her card; then the two friends
    # order with the same address or card: both wait for the business's decision.
    _signed(
        local,
        "/conversions",
        {
            "order_id": "spring-anna-own",
            "email": "anna@example.com",
            "amount": "36.00",
            "currency": "EUR",
            "address": SHARED_ADDRESS,
            "payment_fingerprint": SHARED_CARD,
        },
    )
    for (_, email), extra in zip(
        waiting, ({"address": SHARED_ADDRESS}, {"payment_fingerprint": SHARED_CARD}), strict=True
    ):
        order = {
            "order_id": f"spring-review-{email.split('@')[0]}",
            "email": email,
            "amount": "41.00",
            "currency": "EUR",
        }
        _signed(local, "/conversions", order | extra)

    links: dict[str, str] = {}
    for mail in local.outbox():
        found = _STATS_LINK.search(mail["html"])
        if found and mail["to"][0] in ON_THE_BOARD:
            links.setdefault(mail["to"][0], html.unescape(found.group(1)))
    for link in links.values():
        _join_board(local, link.rpartition("#t=")[2])
    return {who: links[who] for who in ("anna@example.com", "marco@example.com")}


def _join_board(local: RunningStack, token: str) -> None:
    assert local.gateway is not None
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    response = local.gateway.http(
        "PUT", "/referrers/me/leaderboard", headers=headers, body=b'{"opt_in": true}'
    )
    if response.status != 200:
        raise RuntimeError(f"demo: the leaderboard answered {response.status}: {response.body.decode()}")
