"""Referral codes and the enrolments that own them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from passaparola.domain.errors import Conflict
from passaparola.domain.records import CodePartition, Referrer
from passaparola.domain.tokens import link_epoch
from passaparola.storage import keys
from passaparola.storage.claims import listed_friend_of
from passaparola.storage.clicks import folded_of
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, moment, stamp, stamped
from passaparola.storage.rewards import reward_of

_COLLISION_RETRIES = 5


def _item(referrer: Referrer) -> Item:
    """A new code's item; its counters appear as they are first added to."""
    return keys.code(referrer.code) | {
        "code": referrer.code,
        "campaign": referrer.campaign,
        "email": referrer.email,
        "email_key": referrer.email_key,
        "display_name": referrer.display_name,
        "lang": referrer.lang,
        "status": "active" if referrer.active else "inactive",
        "created_at": stamp(referrer.created_at),
        "parent_code": referrer.parent_code,
        "enrol_client": referrer.enrol_client,
        # Enters the campaign's `top` index once the counters give it a rank (its first claim).
        "top_pk": referrer.campaign,
    }


def referrer_of(item: Item) -> Referrer:
    """An erased code (its person asked to be deleted) reads as an inactive referrer with no
    address; `ReferrerStore` answers None for it, so nothing is ever sent to it."""
    valid_from = item.get("links_valid_from")
    return Referrer(
        code=item["code"],
        campaign=item["campaign"],
        email=item.get("email", ""),
        email_key=item.get("email_key", ""),
        lang=item["lang"],
        created_at=moment(item, "created_at"),
        active=item.get("status") == "active",
        display_name=item.get("display_name"),
        parent_code=item.get("parent_code"),
        enrol_client=item.get("enrol_client"),
        folded_clicks=folded_of(item),
        claims=int(item.get("claims", 0)),
        orders=int(item.get("orders", 0)),
        qualified=int(item.get("qualified", 0)),
        rewarded=int(item.get("rewarded", 0)),
        welcome_sent_at=stamped(item, "welcome_sent_at"),
        links_valid_from=int(valid_from) if valid_from is not None else None,
        rank=int(item["rank"]) if "rank" in item else None,
        board_name=item.get("board_name"),
    )


def _erased(item: Item) -> bool:
    return item.get("status") == "erased"


class ReferrerStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, code: str) -> Referrer | None:
        item = self.table.get(keys.code(code))
        return referrer_of(item) if item and not _erased(item) else None

    def partition(self, code: str) -> CodePartition:
        """The code, every reward it owns and the friends who claimed through it, in one query."""
        found = None
        rewards = []
        friends = []
        for item in self.table.query(keys.code_pk(code)):
            if item["sk"] == "CODE" and not _erased(item):
                found = referrer_of(item)
            elif item["sk"].startswith(keys.REWARD):
                rewards.append(reward_of(item))
            elif item["sk"].startswith(keys.LISTED):
                friends.append(listed_friend_of(item))
        return CodePartition(found, tuple(rewards), tuple(friends))

    def enrol(self, draw: Callable[[], Referrer]) -> tuple[Referrer, bool]:
        """Create a code for (campaign, email) or return the one it already has. `draw` makes
        the new referrer with a new random code each time it is called.

        The enrolment item and the code item are written in one transaction, each with a
        condition: the first makes the same person always get the same code, the second
        makes two people never share one. Returns (referrer, created).
        """
        for _ in range(_COLLISION_RETRIES):
            referrer = draw()
            enrolment_key = keys.enrolment(referrer.campaign, referrer.email_key)
            enrolment = enrolment_key | {"code": referrer.code, "created_at": stamp(referrer.created_at)}
            try:
                self.table.transaction().put("enrolment", enrolment).put("code", _item(referrer)).run()
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
            return referrer, True
        raise Conflict("could not find a free referral code; retry")

    def enrolled(self, campaign: str, email_key: str) -> bool:
        """Whether the address has a code in the campaign (one read of its enrolment)."""
        return self.table.get(keys.enrolment(campaign, email_key)) is not None

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
