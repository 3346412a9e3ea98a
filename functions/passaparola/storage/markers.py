"""Customer markers: which identifiers have been on a paid order, since when, and whose first.

One item per identifier, `MARKER#<kind>#<keyed hash>`. It keeps when the identifier was first
seen and the email marker (itself a keyed hash) of the order that first carried it, so no
marker holds anything that can be matched without the pepper. Each later order only pushes
its expiry on: a customer stays known for the retention period after their last order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from passaparola.domain.records import CustomerMarker, Sighting
from passaparola.storage import keys
from passaparola.storage.dynamo import Item, Table, Transaction, expiry, moment, stamp


def marker_keys(hashes: Mapping[str, str]) -> list[dict[str, str]]:
    return [keys.marker(kind, value) for kind, value in hashes.items()]


def markers_among(items: Iterable[Item], hashes: Mapping[str, str]) -> dict[str, CustomerMarker]:
    """The markers found among `items` (read with `marker_keys(hashes)`), by kind."""
    kinds = {keys.marker(kind, value)["pk"]: kind for kind, value in hashes.items()}
    return {
        kinds[item["pk"]]: CustomerMarker(
            kind=kinds[item["pk"]],
            first_seen_at=moment(item, "first_seen_at"),
            first_email=item["first_email"],
        )
        for item in items
        if item["pk"] in kinds
    }


class MarkerStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def find(self, hashes: Mapping[str, str]) -> dict[str, CustomerMarker]:
        """The markers that exist among `hashes` (kind -> keyed hash), by kind, in one read."""
        return markers_among(self.table.get_many(marker_keys(hashes)), hashes) if hashes else {}


def add_sighting(transaction: Transaction, sighting: Sighting) -> Transaction:
    """Write a paid order's markers with the transaction that records the order, so an order
    recorded once leaves its markers once, and a redelivery leaves none."""
    for kind, value in sighting.hashes.items():
        transaction.update(
            f"marker-{kind}",
            keys.marker(kind, value),
            "SET first_seen_at = if_not_exists(first_seen_at, :at), "
            "first_email = if_not_exists(first_email, :email), expires_at = :expires",
            {
                ":at": stamp(sighting.at),
                ":email": sighting.hashes["email"],
                ":expires": expiry(sighting.expires_at),
            },
        )
    return transaction
