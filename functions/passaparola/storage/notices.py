"""The lifecycle's scheduled emails: one item each, in the `due` index until sent or skipped.

An item is written once (with the claim or the order that causes it, or on its own under a
condition; an ask with its order, under a condition), taken by one worker at a time under a
lease, and closed with what became of it, so a message delivered twice, or a sweep that meets
a queued message, never mails twice.
"""

from __future__ import annotations

from datetime import datetime

from passaparola.domain.records import Notice
from passaparola.domain.vocabulary import NoticeOutcome
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Item, Table, moment, stamp, stamped
from passaparola.storage.rewards import GRACE, NOTIFY_LEASE


def notice_item(notice: Notice) -> Item:
    """Due for the sweep a little after its time: an email due at once is queued as it is
    written, and the sweep is only for a message that was lost."""
    return keys.notice(notice.notice_id) | {
        "kind": notice.kind,
        "campaign": notice.campaign,
        "code": notice.code,
        "friend": notice.friend,
        "order_id": notice.order_id,
        "reward_id": notice.reward_id,
        "buyer": notice.buyer,
        "email": notice.email,
        "lang": notice.lang,
        "send_at": stamp(notice.send_at),
        "due_pk": keys.DUE,
        "due_at": stamp(notice.send_at + GRACE),
    }


def notice_of(item: Item) -> Notice:
    return Notice(
        kind=item["kind"],
        campaign=item["campaign"],
        code=item.get("code"),
        send_at=moment(item, "send_at"),
        friend=item.get("friend"),
        order_id=item.get("order_id"),
        reward_id=item.get("reward_id"),
        buyer=item.get("buyer"),
        email=item.get("email"),
        lang=item.get("lang"),
        sent_at=stamped(item, "sent_at"),
        outcome=item.get("outcome"),
    )


class NoticeStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, notice_id: str) -> Notice | None:
        return self.table.read(keys.notice(notice_id), notice_of)

    def schedule(self, notice: Notice) -> bool:
        """Written unless it exists: the same event schedules the same notice once."""
        try:
            self.table.put(notice_item(notice), condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

    def take(self, notice_id: str, now: datetime) -> bool:
        """The right to send it, for one worker; a lease older than NOTIFY_LEASE (its worker
        crashed) can be taken again."""
        try:
            self.table.update(
                keys.notice(notice_id),
                "SET sending_at = :now",
                {":now": stamp(now), ":stale": stamp(now - NOTIFY_LEASE)},
                condition="attribute_exists(pk) AND attribute_not_exists(sent_at) "
                "AND (attribute_not_exists(sending_at) OR sending_at < :stale)",
            )
        except ConditionFailed:
            return False
        return True

    def give_back(self, notice_id: str) -> None:
        self.table.update(keys.notice(notice_id), "REMOVE sending_at")

    def close(self, notice_id: str, now: datetime, outcome: NoticeOutcome) -> None:
        """Done with: out of the due index, and without the address an ask was to go to (the
        item stays, so the same ask is never written again)."""
        self.table.update(
            keys.notice(notice_id),
            "SET sent_at = if_not_exists(sent_at, :now), outcome = if_not_exists(outcome, :outcome) "
            "REMOVE due_pk, due_at, sending_at, email",
            {":now": stamp(now), ":outcome": outcome},
        )
