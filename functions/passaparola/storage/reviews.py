"""Orders held for review, and the business's decision on each: `REVIEW#<conversion id>`.

The review is written with its order, in the order's transaction. A decision is written once,
under a condition, together with the order's new status; whoever decides second gets the
first decision back.
"""

from __future__ import annotations

from passaparola.domain.records import Review, Ruling
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, Item, Table, moment, stamp


def review_item(review: Review) -> Item:
    return keys.review(review.conversion_id) | {
        "conversion_id": review.conversion_id,
        "order_id": review.order_id,
        "campaign": review.campaign,
        "reason": review.reason,
        "rewards": [keys.reward_reference(ref) for ref in review.rewards],
        "created_at": stamp(review.created_at),
        # In the business's review queue until decided.
        "waiting_pk": keys.REVIEW,
        "waiting_sk": keys.waiting_sk(review.campaign, stamp(review.created_at)),
    }


def review_of(item: Item) -> Review:
    return Review(
        conversion_id=item["conversion_id"],
        order_id=item["order_id"],
        campaign=item["campaign"],
        reason=item["reason"],
        rewards=tuple(keys.parse_reward_reference(ref) for ref in item.get("rewards", [])),
        created_at=moment(item, "created_at"),
        ruling=_ruling(item) if "decision" in item else None,
    )


def _ruling(item: Item) -> Ruling:
    return Ruling(item["decision"], item["decided_by"], moment(item, "decided_at"), item.get("note"))


class ReviewStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, conversion_id: str) -> Review | None:
        return self.table.read(keys.review(conversion_id), review_of)

    def decide(self, review: Review, ruling: Ruling) -> Ruling:
        """Record the ruling and the order's new status, unless a ruling is there already:
        then return that first one."""
        values: dict[str, object] = {":decision": ruling.decision, ":by": ruling.by, ":at": stamp(ruling.at)}
        assignments = "decision = :decision, decided_by = :by, decided_at = :at"
        if ruling.note:
            values[":note"] = ruling.note
            assignments += ", note = :note"
        expression = f"SET {assignments} REMOVE waiting_pk"  # decided: out of the review queue
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
                {
                    ":status": "queued" if ruling.decision == "approve" else "rejected",
                    ":decision": ruling.decision,
                },
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
            return _ruling(first)
        return ruling
