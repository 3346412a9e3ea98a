"""Per-client rate limits: fixed windows, counted per client network, never per raw address.

A client is a salted hash of its address: an IPv4 address, or the /64 prefix of an IPv6 one
(one subscriber or device gets a whole /64, and could otherwise rotate through it).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Window:
    start: int  # Unix seconds
    end: int

    def retry_after(self, now: datetime) -> int:
        """Seconds until the window ends, for a Retry-After header (at least 1)."""
        return max(1, math.ceil(self.end - now.timestamp()))


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Reads "30/60": 30 requests per 60 seconds."""
        hits, _, seconds = text.partition("/")
        try:
            limit = cls(int(hits), int(seconds))
        except ValueError:
            raise ValueError(f"a rate limit is <requests>/<seconds>, e.g. 30/60, not {text!r}") from None
        if limit.hits < 1 or limit.seconds < 1:
            raise ValueError(f"a rate limit needs at least 1 request in at least 1 second, not {text!r}")
        return limit

    def window(self, now: datetime) -> Window:
        epoch = int(now.timestamp())
        start = epoch - epoch % self.seconds
        return Window(start, start + self.seconds)


def network(address: str) -> str:
    """The part of an address that identifies one client: IPv4 whole, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a local test client, say): counted as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_key(salt: bytes, address: str) -> str:
    """A salted hash of the client's network; the address itself is never kept."""
    message = b"rate-limit|" + network(address).encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:32]
