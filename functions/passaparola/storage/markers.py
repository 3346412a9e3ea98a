"""Customer markers: which identifiers have been on a paid order, since when, and whose first.

One item per identifier, `MARKER#<kind>#<keyed hash>`. It keeps when the identifier was first
seen and the email key of the order that first carried it; each later order only pushes its
expiry on, so a customer stays known for the retention period after their last order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from passaparola.storage import keys
from passaparola.storage.dynamo import Table, Transaction, stamp


@dataclass(frozen=True)
class Marker:
    kind: str
    first_seen_at: datetime
    email_key: str


@dataclass(frozen=True)
class Sighting:
    """The markers one paid order leaves: keyed hashes by kind, whose order, when, until when."""

    hashes: Mapping[str, str]
    email_key: str
    at: datetime
    expires_at: int


class MarkerStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def find(self, hashes: Mapping[str, str]) -> dict[str, Marker]:
        """The markers that exist among `hashes` (kind -> keyed hash), by kind, in one read."""
        if not hashes:
            return {}
        wanted = {keys.marker(kind, value)["pk"]: kind for kind, value in hashes.items()}
        found = self.table.get_many([keys.marker(kind, value) for kind, value in hashes.items()])
        return {
            wanted[item["pk"]]: Marker(
                kind=wanted[item["pk"]],
                first_seen_at=datetime.fromisoformat(item["first_seen_at"]),
                email_key=item["email_key"],
            )
            for item in found
        }


def add_sighting(transaction: Transaction, sighting: Sighting) -> Transaction:
    """Write a paid order's markers with the transaction that records the order, so an order
    recorded once leaves its markers once, and a redelivery leaves none."""
    for kind, value in sighting.hashes.items():
        transaction.update(
            f"marker-{kind}",
            keys.marker(kind, value),
            "SET first_seen_at = if_not_exists(first_seen_at, :at), "
            "email_key = if_not_exists(email_key, :email_key), expires_at = :expires",
            {":at": stamp(sighting.at), ":email_key": sighting.email_key, ":expires": sighting.expires_at},
        )
    return transaction
