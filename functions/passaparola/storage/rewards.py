"""The reward ledger. Every status change is a conditional write on the current status.

A reward item carries `due_pk`/`due_at` while the worker still has something to do with it:
pending, held until its hold ends, and issued until its owner has been told. The sparse
`due` index over them is what the release schedule reads, so no reward can be forgotten half
way; done rewards (notified, void, clawed back) drop out of the index, and rewards under
review are not in it until the business approves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Literal

from passaparola.domain.rewards import Grant
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, stamp

IssueOutcome = Literal["issued", "not_held", "coupon_taken"]
# A reward is queued as soon as it is written or issued; it only becomes due for the release
# sweep if that message was lost, so the sweep and the queue rarely overlap.
GRACE = timedelta(minutes=2)
# How long a worker may take to send a reward email before another may try again.
NOTIFY_LEASE = timedelta(minutes=5)


def pending_item(
    owner: str,
    reward_id: str,
    grant: Grant,
    *,
    campaign: str,
    code: str,
    now: datetime,
    order_id: str | None = None,
    takes_slot: bool = False,
    review: bool = False,
) -> Item:
    """A new reward, pending; or, with `review`, waiting for the business's decision (its cap
    slot taken, nothing queued, nothing due)."""
    item = (
        keys.reward(owner, reward_id)
        | grant.as_record()
        | {
            "reward_id": reward_id,
            "owner": owner,
            "campaign": campaign,
            "code": code,
            "order_id": order_id,
            "takes_slot": takes_slot,
            "status": "review" if review else "pending",
            "created_at": stamp(now),
        }
    )
    return item if review else item | {"due_pk": keys.DUE, "due_at": stamp(now + GRACE)}


class RewardStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, owner: str, reward_id: str) -> Item | None:
        return self.table.get(keys.reward(owner, reward_id))

    def create(self, item: Item) -> bool:
        """Write a reward unless one with the same id exists (tier rewards use fixed ids)."""
        try:
            self.table.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

    def approve(self, owner: str, reward_id: str, now: datetime) -> bool:
        """review -> pending, and due, so the release schedule moves it if its message is lost."""
        try:
            self.table.update(
                keys.reward(owner, reward_id),
                "SET #status = :pending, approved_at = :now, due_pk = :due_pk, due_at = :due",
                {
                    ":pending": "pending",
                    ":review": "review",
                    ":now": stamp(now),
                    ":due_pk": keys.DUE,
                    ":due": stamp(now + GRACE),
                },
                condition="#status = :review",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def hold(self, owner: str, reward_id: str, hold_until: datetime) -> bool:
        try:
            self.table.update(
                keys.reward(owner, reward_id),
                "SET #status = :held, hold_until = :until, due_at = :until",
                {":held": "held", ":pending": "pending", ":until": stamp(hold_until)},
                condition="#status = :pending",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def issue(
        self, owner: str, reward_id: str, now: datetime, coupon_code: str | None, counted_for: str | None
    ) -> IssueOutcome:
        """held -> issued, with its coupon code made unique, and (`counted_for`) one more
        rewarded referral on that referral code, all in one transaction."""
        values = {":issued": "issued", ":held": "held", ":now": stamp(now), ":due": stamp(now + GRACE)}
        expression = "SET #status = :issued, issued_at = :now, due_at = :due"
        if coupon_code is not None:
            values[":coupon"] = coupon_code
            expression += ", coupon_code = :coupon"
        transaction = self.table.transaction().update(
            "reward",
            keys.reward(owner, reward_id),
            expression,
            values,
            condition="#status = :held",
            names={"#status": "status"},
        )
        if coupon_code is not None:
            transaction.put("coupon", keys.coupon(coupon_code) | {"owner": owner, "reward_id": reward_id})
        if counted_for is not None:
            transaction.update("count", keys.code(counted_for), "ADD rewarded :one", {":one": 1})
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("reward"):
                return "not_held"
            if cancelled.failed("coupon"):
                return "coupon_taken"
            raise
        return "issued"

    def claim_notification(self, owner: str, reward_id: str, now: datetime) -> bool:
        """Take the right to email the owner, so concurrent workers send one email. A claim
        older than the lease (its sender crashed) can be taken again."""
        try:
            self.table.update(
                keys.reward(owner, reward_id),
                "SET notifying_at = :now",
                {":now": stamp(now), ":stale": stamp(now - NOTIFY_LEASE), ":issued": "issued"},
                condition="#status = :issued AND attribute_not_exists(notified_at) "
                "AND (attribute_not_exists(notifying_at) OR notifying_at < :stale)",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def release_notification(self, owner: str, reward_id: str) -> None:
        self.table.update(keys.reward(owner, reward_id), "REMOVE notifying_at")

    def mark_notified(self, owner: str, reward_id: str, now: datetime) -> None:
        self.table.update(
            keys.reward(owner, reward_id),
            "SET notified_at = if_not_exists(notified_at, :now) REMOVE due_pk, due_at",
            {":now": stamp(now)},
        )

    def void(self, owner: str, reward_id: str, now: datetime, reason: str, slot_of: str | None) -> bool:
        """pending/held/review -> void. `slot_of` is the code whose cap slot this reward used,
        given back."""
        transaction = self.table.transaction().update(
            "reward",
            keys.reward(owner, reward_id),
            "SET #status = :void, voided_at = :now, void_reason = :reason REMOVE due_pk, due_at",
            {
                ":void": "void",
                ":now": stamp(now),
                ":reason": reason,
                ":pending": "pending",
                ":held": "held",
                ":review": "review",
            },
            condition="#status IN (:pending, :held, :review)",
            names={"#status": "status"},
        )
        if slot_of is not None:
            transaction.update("slot", keys.code(slot_of), "ADD qualified :minus", {":minus": -1})
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("reward"):
                return False
            raise
        return True

    def claw_back(self, owner: str, reward_id: str, now: datetime, reason: str) -> bool:
        try:
            self.table.update(
                keys.reward(owner, reward_id),
                "SET #status = :clawed, clawed_back_at = :now, void_reason = :reason REMOVE due_pk, due_at",
                {":clawed": "clawed_back", ":issued": "issued", ":now": stamp(now), ":reason": reason},
                condition="#status = :issued",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def due(self, now: datetime, limit: int) -> Iterator[Item]:
        return self.table.query_due(stamp(now), limit)
