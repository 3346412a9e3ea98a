"""Referral codes and the enrolments that own them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from passaparola.domain.errors import Conflict
from passaparola.domain.tokens import link_epoch
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, stamp

_COLLISION_RETRIES = 5


class ReferrerStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, code: str) -> Item | None:
        return self.table.get(keys.code(code))

    def code_and_rewards(self, code: str) -> tuple[Item | None, list[Item]]:
        """The code item and every reward it owns, in one query."""
        found = None
        rewards = []
        for item in self.table.query(keys.code(code)["pk"]):
            if item["sk"] == "CODE":
                found = item
            elif item["sk"].startswith("REWARD#"):
                rewards.append(item)
        return found, rewards

    def enrol(self, new_code: Callable[[], str], attributes: dict[str, Any]) -> tuple[Item, bool]:
        """Create a code for (campaign, email) or return the one it already has.

        The enrolment item and the code item are written in one transaction, each with a
        condition: the first makes the same person always get the same code, the second
        makes two people never share one. Returns (code item, created).
        """
        campaign, email_key = attributes["campaign"], attributes["email_key"]
        enrolment_key = keys.enrolment(campaign, email_key)
        for _ in range(_COLLISION_RETRIES):
            code = new_code()
            item = keys.code(code) | {"code": code, **attributes}
            try:
                self.table.transaction().put(
                    "enrolment", enrolment_key | {"code": code, "created_at": attributes["created_at"]}
                ).put("code", item).run()
            except Cancelled as cancelled:
                if cancelled.failed("enrolment"):
                    existing = cancelled.items["enrolment"] or self.table.get(enrolment_key)
                    if existing is None:  # pragma: no cover - deleted between the two calls
                        raise Conflict("enrolment changed while it was read; retry") from cancelled
                    found = self.get(existing["code"])
                    if found is None:  # pragma: no cover - written in the same transaction
                        raise Conflict("enrolment points at a missing code") from cancelled
                    return found, False
                if cancelled.failed("code") or cancelled.conflict:
                    continue  # the random code was taken, or a concurrent write touched it: draw again
                raise
            return item, True
        raise Conflict("could not find a free referral code; retry")

    def note_welcome(self, code: str, now: datetime, not_since: datetime) -> bool:
        """Record a welcome email unless one went out after `not_since` (rate limit for resends).
        The welcome carries a new stats link, so the links issued before it stop working."""
        try:
            self.table.update(
                keys.code(code),
                "SET welcome_sent_at = :now, links_valid_from = :links",
                {":now": stamp(now), ":since": stamp(not_since), ":links": link_epoch(now)},
                condition="attribute_not_exists(welcome_sent_at) OR welcome_sent_at < :since",
            )
        except ConditionFailed:
            return False
        return True
