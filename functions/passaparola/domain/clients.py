"""Where a request comes from, as a salted hash: never the raw address.

A client is its network: an IPv4 address, or the /64 prefix of an IPv6 one (one subscriber or
device gets a whole /64, and could otherwise rotate through it while a household keeps it).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import date


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


def _keyed(salt: bytes, purpose: str, *parts: str) -> str:
    return hmac.new(salt, "|".join((purpose, *parts)).encode(), hashlib.sha256).hexdigest()[:32]


def client_key(salt: bytes, address: str) -> str:
    """The client, for rate limits (whose counters live one window each)."""
    return _keyed(salt, "rate-limit", network(address))


def address_key(salt: bytes, email: str) -> str:
    """An email address, for the limits on the routes that mail it a link: keyed by the mailbox
    it reaches (emails.identity), so another spelling is the same count; never the address."""
    # Here, not at the top: the click function counts clients with this module, and the
    # address rules import pydantic, which its cold start must not.
    from passaparola.domain import emails

    return _keyed(salt, "address-limit", emails.identity(email))


def client_of_day(salt: bytes, address: str, day: date) -> str:
    """The client on one day (the same_client rule): two requests share it only that day."""
    return _keyed(salt, "client", network(address), day.isoformat())


def viewer_address(cloudfront_viewer_address: str | None, source_ip: str) -> str:
    """The visitor's address: CloudFront passes the viewer's on as "ip:port" (IPv6 too), and
    only CloudFront can reach the functions; without it, the connection's own."""
    return cloudfront_viewer_address.rpartition(":")[0] if cloudfront_viewer_address else source_ip
