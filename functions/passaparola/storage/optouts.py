"""Unsubscribes: one item per address key, holding the campaigns it unsubscribed from."""

from __future__ import annotations

from datetime import datetime

from passaparola.domain.tokens import OptOut
from passaparola.storage import keys
from passaparola.storage.dynamo import Table, stamp


class OptOutStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, opt_out: OptOut, now: datetime) -> None:
        """One UpdateItem, no read; unsubscribing twice changes nothing."""
        self.table.update(
            keys.opt_out(opt_out.email_key),
            "ADD campaigns :campaign SET updated_at = :now",
            {":campaign": {opt_out.campaign}, ":now": stamp(now)},
        )

    def has(self, opt_out: OptOut) -> bool:
        """Also for every campaign once the address's person had their data deleted."""
        item = self.table.get(keys.opt_out(opt_out.email_key))
        return item is not None and ("erased_at" in item or opt_out.campaign in item.get("campaigns", set()))
