"""The pages' weight budget: for each page type, HTML + CSS + JS gzipped, and the requests.

Budget: 30 KB and 5 requests a page, QR code included. A page's requests are its document,
the files it links (stylesheets, scripts, images and icons that are not data: URIs), and the
API calls its script makes on the way through (enrol, check and claim, read the stats,
unsubscribe). The QR code comes inside the API's answer as a data: URI, so it costs bytes, not
a request; its bytes are counted with the answers. Sizes are gzip level 6, what CDNs and
servers commonly send. Every page of a type is measured, and the heaviest is reported.

The invite panel shops embed (/widget.js) has a budget of its own: 10 KB for the script, and
its requests on the shop's page are the script and one POST /referrers (which a browser
precedes with a CORS preflight), with the QR code inside the answer.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from passaparola import qr

BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 5
WIDGET = "widget.js"
WIDGET_BUDGET_BYTES = 10 * 1024
WIDGET_REQUESTS = ("GET /widget.js", "POST /referrers")  # the browser sends OPTIONS before the POST
# The console is the business's own page, not a visitor's: it carries a chart library (uPlot,
# about 22 KB gzipped) and reads three lists on opening (the report, rewards to give, reviews).
CONSOLE_BUDGET = (60 * 1024, 8)
_SHARE_URL = "https://abc123def4.execute-api.eu-west-1.amazonaws.com/r/SPRING-7KQMX2R9P"
_REWARD = {
    "id": "friend-spring",
    "role": "friend",
    "kind": "coupon_percent",
    "description": "10% off",
    "status": "issued",
    "value": None,
    "currency": None,
    "coupon_code": "SPRING-T7CR-SKJW-W43",
    "created_at": "2026-04-01T10:00:00+00:00",
    "hold_until": None,
    "issued_at": "2026-04-01T10:00:00+00:00",
}
# What each page type's script asks the API, and a realistic answer to each (the real QR).
API_ANSWERS: dict[str, tuple[dict[str, object], ...]] = {
    "invite": ({"code": "SPRING-7KQMX2R9P", "share_url": _SHARE_URL, "qr": qr.data_uri(_SHARE_URL)},),
    "landing": (
        {
            "valid": True,
            "campaign": "spring",
            "referrer": {"display_name": "Anna"},
            "offer": {"type": "coupon_percent", "percent": "10", "text": "10% off"},
        },
        {"claim_id": "cl_4hV0eq3mK1Zb7Yw2", "campaign": "spring", "friend_reward": _REWARD},
    ),
    "stats": (
        {
            "code": "SPRING-7KQMX2R9P",
            "campaign": "spring",
            "share_url": _SHARE_URL,
            "qr": qr.data_uri(_SHARE_URL),
            "clicks": 42,
            "claims": 7,
            "conversions": 5,
            "rewards": [_REWARD | {"role": "referrer", "id": f"conv-{n}"} for n in range(5)],
        },
    ),
    "unsubscribe": ({"unsubscribed": True, "campaign": "spring"},),
    # a referrer's export: their code, five rewards, their claim as a friend
    "my_data": (
        {
            "exported_at": "2026-03-30T10:00:00+00:00",
            "addresses": ["anna@example.com"],
            "items": {
                "referral_codes": [
                    {"code": "SPRING-7KQMX2R9P", "campaign": "spring", "email": "anna@example.com"}
                ],
                "rewards": [_REWARD | {"role": "referrer", "id": f"conv-{n}"} for n in range(5)],
                "claims": [{"campaign": "autumn", "code": "AUTUMN-BCDFGHJKM", "email": "anna@example.com"}],
            },
            "fraud_markers": {"email": 1, "note": "Fraud checks keep keyed hashes of the email."},
        },
    ),
    # a 30-day report of two variants with ten top referrers, and a page of each queue
    "admin": (
        {
            "campaign": "spring",
            "from": "2026-03-01",
            "to": "2026-03-30",
            "funnel": {
                "clicks": 2400,
                "visitors": 2210,
                "claims": 480,
                "orders": 120,
                "qualified": 110,
                "revenue": {"EUR": "4210.50"},
            },
            "rates": {"claim_rate": 0.2, "order_rate": 0.05},
            "variants": [
                {
                    "id": v,
                    "clicks": 1200,
                    "claims": 240,
                    "orders": 60,
                    "order_rate": 0.05,
                    "lift": 0.1,
                    "p_value": 0.21,
                    "enough_data": True,
                }
                for v in "ab"
            ],
            "daily": [
                {"date": f"2026-03-{d:02d}", "clicks": 80 + d, "claims": 16, "orders": 4}
                for d in range(1, 31)
            ],
            "time_to_convert": {"p50_hours": 5.3, "p90_hours": 60.2},
            "rejections": {"below_minimum": 7, "self_referral": 2},
            "reviews": {"shared_address": 3},
            "rewards": {s: {"count": 20, "value": {"EUR": "200.00"}} for s in ("held", "issued", "void")},
            "top_referrers": [
                {
                    "display_name": "Anna",
                    "code": f"SPRING-7KQMX2R{n}P",
                    "clicks": 90,
                    "claims": 18,
                    "orders": 9,
                }
                for n in range(10)
            ],
        },
        {
            "items": [
                dict[str, object](_REWARD)
                | {
                    "id": f"rw_referrer_{n:020d}",
                    "kind": "credit",
                    "owner": {"kind": "referrer", "code": "SPRING-7KQMX2R9P"},
                    "fulfilment": None,
                }
                for n in range(10)
            ],
            "next_cursor": None,
        },
        {"items": [], "next_cursor": None},
    ),
}


@dataclass(frozen=True)
class PageWeight:
    kind: str
    path: str
    html: int
    css: int
    js: int
    api: int
    requests: int

    @property
    def total(self) -> int:
        return self.html + self.css + self.js + self.api

    @property
    def budget(self) -> tuple[int, int]:
        return CONSOLE_BUDGET if self.kind == "admin" else (BUDGET_BYTES, BUDGET_REQUESTS)

    @property
    def within_budget(self) -> bool:
        size, requests = self.budget
        return self.total <= size and self.requests <= requests


class _Links(HTMLParser):
    """The files a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.kind = found.get("data-page", "")
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found["href"])
        elif tag == "link" and found.get("rel") in ("icon", "preload", "modulepreload", "manifest"):
            self.others.append(found["href"])
        elif tag == "script" and "src" in found:
            self.scripts.append(found["src"])
        elif tag == "img" and "src" in found:
            self.others.append(found["src"])


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _fetched(urls: list[str]) -> list[str]:
    return [url for url in urls if url and not url.startswith("data:")]


def weigh(site: Path, page: Path) -> PageWeight:
    html = page.read_bytes()
    links = _Links()
    links.feed(html.decode("utf-8"))
    css_files = [site / href.lstrip("/") for href in links.stylesheets]
    js_files = [site / src.lstrip("/") for src in links.scripts]
    css_text = b"".join(f.read_bytes() for f in css_files)
    # A url() in a stylesheet (a font, a background) would be one more request.
    css_fetches = [
        u for u in re.findall(rb"url\(\s*['\"]?([^'\")]+)", css_text) if not u.startswith(b"data:")
    ]
    answers = API_ANSWERS.get(links.kind, ())
    return PageWeight(
        kind=links.kind,
        path="/"
        + str(page.relative_to(site).parent).removeprefix(".")
        + ("/" if page.parent != site else ""),
        html=_gzipped(html),
        css=sum(_gzipped(f.read_bytes()) for f in css_files),
        js=sum(_gzipped(f.read_bytes()) for f in js_files),
        api=sum(_gzipped(json.dumps(answer).encode()) for answer in answers),
        requests=1
        + len(css_files)
        + len(js_files)
        + len(_fetched(links.others))
        + len(css_fetches)
        + len(answers),
    )


def heaviest_by_kind(site: Path) -> dict[str, PageWeight]:
    heaviest: dict[str, PageWeight] = {}
    for page in sorted(site.rglob("index.html")):
        weight = weigh(site, page)
        kept = heaviest.get(weight.kind)
        if kept is None or (weight.total, weight.requests) > (kept.total, kept.requests):
            heaviest[weight.kind] = weight
    return heaviest


@dataclass(frozen=True)
class WidgetWeight:
    script: int
    answer: int

    @property
    def within_budget(self) -> bool:
        return self.script <= WIDGET_BUDGET_BYTES


def weigh_widget(site: Path) -> WidgetWeight:
    (enrolled,) = API_ANSWERS["invite"]  # the panel asks what the invite page asks
    return WidgetWeight(_gzipped((site / WIDGET).read_bytes()), _gzipped(json.dumps(enrolled).encode()))


def report(site: Path) -> tuple[str, bool]:
    """The table the `budget` command prints, and whether every page type is within budget."""
    rows = [
        f"{'page type':10} {'heaviest page':26} {'HTML':>6} {'CSS':>6} {'JS':>6} {'API+QR':>7} "
        f"{'total':>7} {'requests':>8}"
    ]
    weights = heaviest_by_kind(site)
    for kind in ("invite", "landing", "stats", "unsubscribe", "my_data", "terms", "index", "admin"):
        w = weights[kind]
        rows.append(
            f"{kind:10} {w.path:26} {w.html / 1024:5.1f}K {w.css / 1024:5.1f}K {w.js / 1024:5.1f}K "
            f"{w.api / 1024:6.1f}K {w.total / 1024:6.1f}K {w.requests:8d}"
            + ("" if w.within_budget else "  OVER BUDGET")
        )
    rows.append(
        f"budget: {BUDGET_BYTES // 1024} KB and {BUDGET_REQUESTS} requests a page (gzip -6); "
        f"the console (admin) {CONSOLE_BUDGET[0] // 1024} KB and {CONSOLE_BUDGET[1]} requests"
    )
    widget = weigh_widget(site)
    rows.append(
        f"/{WIDGET} on a shop's page: script {widget.script / 1024:.1f}K, "
        f"answer+QR {widget.answer / 1024:.1f}K, "
        f"{len(WIDGET_REQUESTS)} requests ({', '.join(WIDGET_REQUESTS)}; the POST after its CORS preflight)"
        + ("" if widget.within_budget else "  OVER BUDGET")
    )
    rows.append(f"budget: {WIDGET_BUDGET_BYTES // 1024} KB for the script (gzip -6), no request but ours")
    within = all(w.within_budget for w in weights.values()) and widget.within_budget
    return "\n".join(rows), within
