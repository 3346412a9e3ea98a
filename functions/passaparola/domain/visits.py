"""Who is clicking: bots, a privacy-preserving visitor id, A/B variant and language."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import date

from crawlerdetect import CrawlerDetect

_crawlers = CrawlerDetect()
# Browsers announce speculative loads; a prefetch is not a person clicking.
_PREFETCH_HEADERS = ("purpose", "sec-purpose", "x-moz", "x-purpose")


def is_bot(headers: Mapping[str, str]) -> bool:
    """`headers` must have lower-case names, as API Gateway HTTP APIs deliver them."""
    user_agent = headers.get("user-agent", "").strip()
    if not user_agent:
        return True
    if any("prefetch" in headers.get(name, "").lower() for name in _PREFETCH_HEADERS):
        return True
    return bool(_crawlers.is_crawler(user_agent))


def visitor_id(salt: bytes, source_ip: str, user_agent: str, day: date) -> str:
    """A salted, per-day hash of the visitor. The raw IP address is never stored."""
    message = f"{source_ip}|{user_agent}|{day.isoformat()}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:32]


def variant_for(visitor: str, variants: Sequence[str]) -> str | None:
    """A stable A/B assignment: the same visitor sees the same variant all day."""
    if not variants:
        return None
    return variants[int(visitor[:8], 16) % len(variants)]


def negotiate(accept_language: str, available: Sequence[str]) -> str:
    """The best of `available` for an Accept-Language header; the first one if none match."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, lang in sorted(ranked):
        if lang in available:
            return lang
    return available[0]
