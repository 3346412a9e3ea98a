"""Which admins were sent which day's digest: `DIGEST#<email key>` / `DAY#<day>`, one
conditional write each, so a schedule run twice (a retry) sends nobody a day twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Table, expiry, stamp

KEEP = timedelta(days=7)


class DigestLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    def first(self, email_key: str, day: date, now: datetime) -> bool:
        """Record that this admin is sent `day`'s digest; False if they were already."""
        try:
            self.table.put(
                keys.digest(email_key, day) | {"sent_at": stamp(now), "expires_at": expiry(now + KEEP)},
                condition="attribute_not_exists(pk)",
            )
        except ConditionFailed:
            return False
        return True
