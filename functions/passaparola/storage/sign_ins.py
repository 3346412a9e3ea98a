"""Sign-in links for the console: `SIGNIN#<digest of the token>`, each usable once.

Only the token's digest is stored. Redeeming is one conditional write (exists, unused, not
expired), so two tabs opening the same link get one session between them. The item expires
(TTL) soon after the link does.
"""

from __future__ import annotations

from datetime import datetime

from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Table, expiry, stamp


class SignInStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, digest: str, email: str, now: datetime, expires_at: datetime) -> None:
        self.table.put(
            keys.sign_in(digest)
            | {"email": email, "created_at": stamp(now), "expires_at": expiry(expires_at)},
            condition="attribute_not_exists(pk)",
        )

    def redeem(self, digest: str, now: datetime) -> str | None:
        """The address the link was sent to, if it is unused and unexpired; it is used now."""
        try:
            item = self.table.update(
                keys.sign_in(digest),
                "SET used_at = :now",
                {":now": stamp(now), ":epoch": expiry(now)},
                condition="attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at > :epoch",
                returning="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return str(item["email"])
