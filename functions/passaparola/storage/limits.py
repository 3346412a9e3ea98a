"""Rate-limit counters: one item per client, route and window, counted by a conditional add."""

from __future__ import annotations

from passaparola.domain.limits import Window
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Table

# Counters are useless once their window is over; TTL removes them (within a day or two).
_KEEP_AFTER_WINDOW = 60


class LimitStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def hit(self, route: str, client: str, window: Window, limit: int) -> bool:
        """Count one request, unless the window already holds `limit`: one UpdateItem, no read."""
        try:
            self.table.update(
                keys.limit(route, client, window.start),
                "SET expires_at = :expires ADD hits :one",
                {":one": 1, ":limit": limit, ":expires": window.end + _KEEP_AFTER_WINDOW},
                condition="attribute_not_exists(hits) OR hits < :limit",
            )
        except ConditionFailed:
            return False
        return True
