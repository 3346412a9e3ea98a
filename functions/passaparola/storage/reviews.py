"""Orders held for review, and the business's decision on each: `REVIEW#<conversion id>`.

The review is written with its order, in the order's transaction. A decision is written once,
under a condition, together with the order's new status; whoever decides second gets the
first decision back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, cast

from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, Item, Table, stamp

Decision = Literal["approve", "reject"]


@dataclass(frozen=True)
class RewardRef:
    owner: str
    reward_id: str

    @classmethod
    def parse(cls, reference: str) -> RewardRef:
        owner, reward_id = reference.split("|", 1)
        return cls(owner, reward_id)

    def __str__(self) -> str:
        return f"{self.owner}|{self.reward_id}"


@dataclass(frozen=True)
class Review:
    conversion_id: str
    order_id: str
    campaign: str
    reason: str
    rewards: tuple[RewardRef, ...]
    created_at: datetime
    decision: Decision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


def as_item(review: Review) -> Item:
    return keys.review(review.conversion_id) | {
        "conversion_id": review.conversion_id,
        "order_id": review.order_id,
        "campaign": review.campaign,
        "reason": review.reason,
        "rewards": [str(ref) for ref in review.rewards],
        "created_at": stamp(review.created_at),
    }


def _review(item: Item) -> Review:
    decided_at = item.get("decided_at")
    return Review(
        conversion_id=item["conversion_id"],
        order_id=item["order_id"],
        campaign=item["campaign"],
        reason=item["reason"],
        rewards=tuple(RewardRef.parse(ref) for ref in item.get("rewards", [])),
        created_at=datetime.fromisoformat(item["created_at"]),
        decision=cast("Decision | None", item.get("decision")),
        decided_by=item.get("decided_by"),
        decided_at=datetime.fromisoformat(decided_at) if decided_at else None,
        note=item.get("note"),
    )


class ReviewStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, conversion_id: str) -> Review | None:
        item = self.table.get(keys.review(conversion_id))
        return _review(item) if item else None

    def decide(self, review: Review, decision: Decision, by: str, at: datetime, note: str | None) -> Review:
        """Record the decision and the order's new status, unless a decision is there already:
        then return that first one."""
        values: dict[str, object] = {":decision": decision, ":by": by, ":at": stamp(at)}
        expression = "SET decision = :decision, decided_by = :by, decided_at = :at"
        if note:
            values[":note"] = note
            expression += ", note = :note"
        transaction = (
            self.table.transaction()
            .update(
                "review",
                keys.review(review.conversion_id),
                expression,
                values,
                condition="attribute_exists(pk) AND attribute_not_exists(decision)",
            )
            .update(
                "order",
                keys.order(review.order_id),
                "SET #status = :status, decision = :decision",
                {":status": "queued" if decision == "approve" else "rejected", ":decision": decision},
                names={"#status": "status"},
            )
        )
        try:
            transaction.run()
        except Cancelled as cancelled:
            if not cancelled.failed("review"):
                raise
            first = cancelled.items["review"] or self.table.get(keys.review(review.conversion_id))
            if first is None:  # pragma: no cover - reviews are never deleted
                raise
            return _review(first)
        return replace(review, decision=decision, decided_by=by, decided_at=at, note=note)
