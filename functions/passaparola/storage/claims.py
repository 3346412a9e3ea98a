"""Friends' claims: one per friend (by mailbox) per campaign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, stamp

ClaimOutcome = Literal["created", "exists", "code_inactive", "cap_reached"]


class ClaimStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, email_key: str, campaign: str) -> Item | None:
        return self.table.get(keys.claim(email_key, campaign))

    def note_reward_emailed(self, claim: Item, now: datetime, not_since: datetime) -> bool:
        """Record that the friend's reward is emailed again, unless it was after `not_since`."""
        try:
            self.table.update(
                {"pk": claim["pk"], "sk": claim["sk"]},
                "SET reward_emailed_at = :now",
                {":now": stamp(now), ":since": stamp(not_since)},
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(reward_emailed_at) OR reward_emailed_at < :since)",
            )
        except ConditionFailed:
            return False
        return True

    def note_refusal_emailed(self, email_key: str, campaign: str, now: datetime, not_since: datetime) -> bool:
        """Record that an address is told why a claim was refused, unless it was after `not_since`.
        The record expires with the day: it only paces the emails."""
        try:
            self.table.update(
                keys.refusal(email_key, campaign),
                "SET emailed_at = :now, expires_at = :expires",
                {":now": stamp(now), ":since": stamp(not_since), ":expires": int(now.timestamp()) + 86400},
                condition="attribute_not_exists(emailed_at) OR emailed_at < :since",
            )
        except ConditionFailed:
            return False
        return True

    def of_friend(self, email_key: str) -> list[Item]:
        """Everything stored under a friend: claims, first-order markers and rewards."""
        return list(self.table.query(keys.friend_pk(email_key)))

    def create(
        self, claim: Item, code: str, rewards: Sequence[Item], *, takes_slot: bool, cap: int | None
    ) -> tuple[ClaimOutcome, Item | None]:
        """Write the claim, bump the code's counters and add its rewards, all or nothing.

        Returns the outcome and, when the friend had already claimed, the earlier claim.
        """
        expression = "ADD claims :one" + (", qualified :one" if takes_slot else "")
        condition = "attribute_exists(pk) AND #status = :active"
        values: dict[str, object] = {":one": 1, ":active": "active"}
        if takes_slot and cap is not None:
            condition += " AND (attribute_not_exists(qualified) OR qualified < :cap)"
            values[":cap"] = cap
        transaction = (
            self.table.transaction()
            .put("claim", claim)
            .update("code", keys.code(code), expression, values, condition, {"#status": "status"})
        )
        for index, reward in enumerate(rewards):
            transaction.put(f"reward{index}", reward)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("claim"):
                return "exists", cancelled.items["claim"] or self.table.get(
                    {"pk": claim["pk"], "sk": claim["sk"]}
                )
            if cancelled.failed("code"):
                old = cancelled.items["code"]
                inactive = old is None or old.get("status") != "active"
                return ("code_inactive" if inactive else "cap_reached"), None
            raise
        return "created", None
