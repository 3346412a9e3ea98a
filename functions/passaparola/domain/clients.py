"""Where a request comes from, as a salted hash: never the raw address."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import date


def client_of_day(salt: bytes, address: str, day: date) -> str:
    """A salted, per-day hash of the network a request came from. An IPv6 address counts by
    its /64, which a household keeps while its devices rotate the rest. Two requests share it
    only on the same day."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        network = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return hmac.new(salt, f"client|{network}|{day.isoformat()}".encode(), hashlib.sha256).hexdigest()[:32]
