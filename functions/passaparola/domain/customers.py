"""Customer markers: what the shop tells us about a buyer, reduced to keyed hashes.

Every paid order leaves one marker per identifier it carries. A marker is an HMAC of the
normalised value under a pepper only the functions can read, so the table never holds the
address, the card fingerprint or the shop's customer id, and a copy of the table without the
pepper cannot be searched for a known address either.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from passaparola.domain import emails
from passaparola.domain.orders import Identifiers

Kind = Literal["email", "customer_id", "address", "payment"]
# The identifiers that name one person. An address or a card can be shared by a household, so
# those only count against a referrer who used them (shared_address, shared_payment).
PERSON: tuple[Kind, ...] = ("email", "customer_id")


def normalise_address(raw: str) -> str:
    """One spelling per address: case, accents, whitespace and punctuation do not count.

    ``Via Roma 1, 20100 Milano`` and ``VIA ROMA 1 20100 MILANO`` agree, and so do
    ``Hauptstraße 5-b`` and ``Hauptstrasse 5b``. Abbreviations (``St`` for ``Street``) are the
    shop's to normalise: they differ by country and language.
    """
    # NFKD splits an accent from its letter (and full-width forms to plain ones); the accent,
    # like punctuation and spaces, is not alphanumeric and goes.
    return "".join(ch for ch in unicodedata.normalize("NFKD", raw.casefold()) if ch.isalnum())


def _values(who: Identifiers) -> dict[Kind, str]:
    values: dict[Kind, str | None] = {
        "email": emails.identity(who.email),
        "customer_id": who.customer_id.strip() if who.customer_id else None,
        "address": normalise_address(who.address) if who.address else None,
        "payment": re.sub(r"\s+", "", who.payment_fingerprint) if who.payment_fingerprint else None,
    }
    return {kind: value for kind, value in values.items() if value}


@dataclass(frozen=True)
class MarkerKeys:
    """Turns identifiers into marker keys with the pepper (a secret that must never change:
    a new pepper forgets every customer)."""

    pepper: bytes

    def of(self, who: Identifiers) -> dict[str, str]:
        """Marker keys by kind: email, customer_id, address, payment."""
        return {kind: self._key(kind, value) for kind, value in _values(who).items()}

    def email(self, address: str) -> str:
        """The email marker's key alone: what a claim, a referrer or an export is matched on."""
        return self._key("email", emails.identity(address))

    def _key(self, kind: Kind, value: str) -> str:
        return hmac.new(self.pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
