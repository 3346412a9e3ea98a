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
from functools import cache
from typing import TYPE_CHECKING

from passaparola.domain.records import (
    Fulfilment,
    IssueOutcome,
    NoticeMessage,
    QueueMessage,
    Receipt,
    Reward,
    RewardMessage,
    RewardRef,
    VoidReason,
)
from passaparola.domain.vocabulary import COUPON_KINDS, Revoked
from passaparola.storage import keys
from passaparola.storage.dynamo import (
    Cancelled,
    ConditionFailed,
    Item,
    Table,
    Transaction,
    moment,
    stamp,
    stamped,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from passaparola.domain.campaign import RewardSpec

# A reward is queued as soon as it is written or issued; it only becomes due for the release
# sweep if that message was lost, so the sweep and the queue rarely overlap.
GRACE = timedelta(minutes=2)
# How long a worker may take to send a reward email before another may try again.
NOTIFY_LEASE = timedelta(minutes=5)
# How long a worker may take asking a platform for a reward (a few calls of 3 s at most) before
# another may: a run that died mid-call is retried after it, never beside it.
ISSUE_LEASE = timedelta(minutes=1)


@cache
def _specs() -> TypeAdapter[RewardSpec]:
    # The campaign models are imported with the first reward read, not with the module.
    from pydantic import TypeAdapter

    from passaparola.domain.campaign import RewardSpec

    return TypeAdapter(RewardSpec)


def reward_item(reward: Reward) -> Item:
    """A new reward's item. A pending one is due at once (after the grace), so the release
    schedule moves it if its queue message is lost; one under review is not due at all."""
    item = keys.reward(reward.ref) | {
        "reward_id": reward.reward_id,
        "owner": keys.owner_pk(reward.owner),
        "role": reward.role,
        "kind": reward.kind,
        "spec": reward.spec.model_dump(mode="json", exclude_none=True),
        "value": reward.value,
        "currency": reward.currency,
        "hold_days": reward.hold_days,
        "campaign": reward.campaign,
        "code": reward.code,
        "order_id": reward.order_id,
        "takes_slot": reward.takes_slot,
        "status": reward.status,
        "created_at": stamp(reward.created_at),
        "friend": reward.friend,
    }
    if reward.status == "pending":
        item |= {"due_pk": keys.DUE, "due_at": stamp(reward.created_at + GRACE)}
    if reward.kind not in COUPON_KINDS:
        # The sort key of the business's fulfilment list; `issue` adds the partition key, and
        # only items with both are in the `waiting` index.
        item["waiting_sk"] = keys.waiting_sk(reward.campaign, stamp(reward.created_at))
    return item


def reward_of(item: Item) -> Reward:
    return Reward(
        owner=keys.owner_of(item["pk"]),
        reward_id=item["reward_id"],
        role=item["role"],
        spec=_specs().validate_python(item["spec"]),
        value=item.get("value"),
        currency=item.get("currency"),
        hold_days=int(item["hold_days"]),
        campaign=item["campaign"],
        code=item["code"],
        status=item["status"],
        created_at=moment(item, "created_at"),
        order_id=item.get("order_id"),
        takes_slot=bool(item.get("takes_slot")),
        hold_until=stamped(item, "hold_until"),
        issued_at=stamped(item, "issued_at"),
        coupon_code=item.get("coupon_code"),
        notified_at=stamped(item, "notified_at"),
        void_reason=item.get("void_reason"),
        fulfilment=Fulfilment(
            item["fulfilment_reference"], moment(item, "fulfilled_at"), item["fulfilled_by"]
        )
        if "fulfilled_at" in item
        else None,
        friend=item.get("friend"),
        attempted_at=stamped(item, "attempted_at"),
        issued_on=Receipt(item["issued_platform"], item["issued_kind"], item["issued_ref"])
        if "issued_ref" in item
        else None,
        revocation=item.get("revocation"),
    )


class RewardLedger:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, ref: RewardRef) -> Reward | None:
        return self.table.read(keys.reward(ref), reward_of)

    def create(self, reward: Reward) -> bool:
        """Write a reward unless one with the same id exists (tier rewards use fixed ids)."""
        try:
            self.table.put(reward_item(reward), condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

    def approve(self, ref: RewardRef, now: datetime) -> bool:
        """review -> pending, and due, so the release schedule moves it if its message is lost."""
        try:
            self.table.update(
                keys.reward(ref),
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

    def hold(self, ref: RewardRef, hold_until: datetime) -> bool:
        try:
            self.table.update(
                keys.reward(ref),
                "SET #status = :held, hold_until = :until, due_at = :until",
                {":held": "held", ":pending": "pending", ":until": stamp(hold_until)},
                condition="#status = :pending",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def reserve_coupon(self, ref: RewardRef, coupon_code: str) -> IssueOutcome:
        """Fix a held reward's coupon code (unique) before the shop is asked to create it, so
        every retry asks for the same code: "issued" here means reserved."""
        transaction = (
            self.table.transaction()
            .update(
                "reward",
                keys.reward(ref),
                "SET coupon_code = :coupon",
                {":coupon": coupon_code, ":held": "held"},
                condition="#status = :held AND attribute_not_exists(coupon_code)",
                names={"#status": "status"},
            )
            .put("coupon", _coupon(ref, coupon_code))
        )
        return _outcome(transaction)

    def attempt(self, ref: RewardRef, now: datetime) -> datetime | None:
        """Take the right to ask a platform for a held reward, for ISSUE_LEASE, and record when the
        first such call began (kept across tries: from then on the platform may hold the reward,
        whatever the ledger says). Returns that first time; None if the reward is no longer held,
        or another run holds the right (a run that died keeps it until the lease ends)."""
        try:
            item = self.table.update(
                keys.reward(ref),
                "SET attempted_at = if_not_exists(attempted_at, :now), issuing_until = :until",
                {":now": stamp(now), ":until": stamp(now + ISSUE_LEASE), ":held": "held"},
                condition="#status = :held AND (attribute_not_exists(issuing_until) OR issuing_until < :now)",
                names={"#status": "status"},
                returning="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return moment(item, "attempted_at")

    def release_attempt(self, ref: RewardRef) -> None:
        self.table.update(keys.reward(ref), "REMOVE issuing_until")

    def issue(
        self,
        ref: RewardRef,
        now: datetime,
        coupon_code: str | None,
        counted_for: str | None,
        *,
        reserved: bool = False,
        receipt: Receipt | None = None,
    ) -> IssueOutcome:
        """held -> issued, with its coupon code made unique (unless `reserved` already made it
        so), what a platform made of it (`receipt`, held by this reward alone), and
        (`counted_for`) one more rewarded referral on that referral code, all in one
        transaction."""
        values = {":issued": "issued", ":held": "held", ":now": stamp(now), ":due": stamp(now + GRACE)}
        expression = "SET #status = :issued, issued_at = :now, due_at = :due"
        if coupon_code is not None:
            values[":coupon"] = coupon_code
            expression += ", coupon_code = :coupon"
        if receipt is not None:
            values |= {":platform": receipt.platform, ":kind": receipt.kind, ":ref": receipt.reference}
            expression += ", issued_platform = :platform, issued_kind = :kind, issued_ref = :ref"
        elif coupon_code is None:  # a kind the business gives itself: onto its fulfilment list
            values[":fulfil"] = keys.FULFIL
            expression += ", waiting_pk = :fulfil"
        transaction = self.table.transaction().update(
            "reward",
            keys.reward(ref),
            expression,
            values,
            condition="#status = :held",
            names={"#status": "status"},
        )
        if coupon_code is not None and not reserved:
            transaction.put("coupon", _coupon(ref, coupon_code))
        elif receipt is not None and coupon_code is None:
            transaction.put(
                "reference",
                keys.issued_on(receipt.platform, receipt.reference)
                | {"owner": keys.owner_pk(ref.owner), "reward_id": ref.reward_id},
            )
        if counted_for is not None:
            transaction.update("count", keys.code(counted_for), "ADD rewarded :one", {":one": 1})
        return _outcome(transaction)

    def claim_notification(self, ref: RewardRef, now: datetime) -> bool:
        """Take the right to email the owner, so concurrent workers send one email. A claim
        older than the lease (its sender crashed) can be taken again."""
        try:
            self.table.update(
                keys.reward(ref),
                "SET notifying_at = :now",
                {":now": stamp(now), ":stale": stamp(now - NOTIFY_LEASE), ":issued": "issued"},
                condition="#status = :issued AND attribute_not_exists(notified_at) "
                "AND (attribute_not_exists(notifying_at) OR notifying_at < :stale)",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def release_notification(self, ref: RewardRef) -> None:
        self.table.update(keys.reward(ref), "REMOVE notifying_at")

    def mark_notified(self, ref: RewardRef, now: datetime) -> None:
        self.table.update(
            keys.reward(ref),
            "SET notified_at = if_not_exists(notified_at, :now) REMOVE due_pk, due_at",
            {":now": stamp(now)},
        )

    def void(self, ref: RewardRef, now: datetime, reason: VoidReason, slot_of: str | None) -> bool:
        """pending/held/review -> void. `slot_of` is the code whose cap slot this reward used,
        given back."""
        transaction = self.table.transaction().update(
            "reward",
            keys.reward(ref),
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

    def claw_back(self, ref: RewardRef, now: datetime, reason: VoidReason, *, revoke: bool = False) -> bool:
        """issued -> clawed_back. With `revoke`, its code is still to be deactivated in the shop:
        the reward stays due (so the release schedule queues it again if its message is lost)
        until `note_revocation`."""
        values = {":clawed": "clawed_back", ":issued": "issued", ":now": stamp(now), ":reason": reason}
        expression = "SET #status = :clawed, clawed_back_at = :now, void_reason = :reason"
        if revoke:
            values |= {":pending": "pending", ":due_pk": keys.DUE, ":due": stamp(now + GRACE)}
            expression += ", revocation = :pending, due_pk = :due_pk, due_at = :due REMOVE waiting_pk"
        else:
            expression += " REMOVE due_pk, due_at, waiting_pk"
        try:
            self.table.update(
                keys.reward(ref),
                expression,
                values,
                condition="#status = :issued",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def note_revocation(self, ref: RewardRef, revoked: Revoked, now: datetime) -> bool:
        """What the shop did with a clawed-back reward's code, once: False if it was noted."""
        try:
            self.table.update(
                keys.reward(ref),
                "SET revocation = :revoked, revoked_at = :now REMOVE due_pk, due_at",
                {":revoked": revoked, ":pending": "pending", ":now": stamp(now)},
                condition="revocation = :pending",
            )
        except ConditionFailed:
            return False
        return True

    def fulfil(self, ref: RewardRef, fulfilment: Fulfilment) -> Reward | None:
        """Record that the business gave an issued reward, once: a second call gets the reward
        with the first fulfilment. None if there is no such reward."""
        try:
            item = self.table.update(
                keys.reward(ref),
                "SET fulfilled_at = :at, fulfilment_reference = :reference, fulfilled_by = :by "
                "REMOVE waiting_pk",
                {
                    ":at": stamp(fulfilment.at),
                    ":reference": fulfilment.reference,
                    ":by": fulfilment.by,
                    ":issued": "issued",
                },
                condition="#status = :issued AND attribute_exists(waiting_sk) "
                "AND attribute_not_exists(fulfilled_at) AND attribute_not_exists(issued_ref)",
                names={"#status": "status"},
                returning="ALL_NEW",
            )
        except ConditionFailed as failed:
            return reward_of(failed.item) if failed.item else None
        return reward_of(item)

    def due(self, now: datetime, limit: int) -> Iterator[QueueMessage]:
        """What moves on each reward due by `now`, and each lifecycle email due (they share
        the index: storage/notices.py). The index holds only the reward's owner, id and status
        (a notice's id is its key): that much, and no more, is what the worker is sent."""
        for item in self.table.query_due(stamp(now), limit):
            pk: str = item["pk"]
            if pk.startswith(keys.NOTICE):
                yield NoticeMessage(pk.removeprefix(keys.NOTICE))
            else:
                yield RewardMessage(keys.owner_of(pk), item["reward_id"], item["status"])


def _coupon(ref: RewardRef, coupon_code: str) -> Item:
    """The item that makes a coupon code unique, and says whose reward it is."""
    return keys.coupon(coupon_code) | {"owner": keys.owner_pk(ref.owner), "reward_id": ref.reward_id}


def _outcome(transaction: Transaction) -> IssueOutcome:
    """A reward's transaction run: refused by the reward's condition (no longer held) or by
    the coupon's (its code taken), or done."""
    try:
        transaction.run()
    except Cancelled as cancelled:
        if cancelled.failed("reward"):
            return "not_held"
        if cancelled.failed("coupon"):
            return "coupon_taken"
        if cancelled.failed("reference"):
            return "reference_taken"
        raise
    return "issued"
