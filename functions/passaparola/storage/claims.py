"""Friends' claims: one per friend (by mailbox) per campaign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from passaparola.domain.records import (
    Claim,
    ClaimOutcome,
    FirstOrder,
    Friend,
    FriendHistory,
    Notice,
    Reward,
)
from passaparola.storage import keys
from passaparola.storage.dynamo import (
    Cancelled,
    ConditionFailed,
    Item,
    Table,
    expiry,
    moment,
    stamp,
    stamped,
)
from passaparola.storage.notices import notice_item
from passaparola.storage.rewards import reward_item

# A refusal notice only paces the emails that say why a claim was refused.
_REFUSAL_KEPT_SECONDS = 86400


def _item(claim: Claim) -> Item:
    return keys.claim(claim.friend, claim.campaign) | {
        "claim_id": claim.claim_id,
        "campaign": claim.campaign,
        "code": claim.code,
        "email": claim.email,
        "lang": claim.lang,
        "variant": claim.variant,
        "claimed_at": stamp(claim.claimed_at),
        "friend_reward_id": claim.friend_reward_id,
        "reward_emailed_at": stamp(claim.reward_emailed_at) if claim.reward_emailed_at else None,
        "signals": list(claim.signals) or None,
        "shadow": list(claim.shadow) or None,
        "name": claim.name,
    }


def friend_item(code: str, friend: Friend) -> Item:
    """A friend in the list kept under the code they claimed through (README, "Storage")."""
    return keys.listed_friend(code, stamp(friend.claimed_at), friend.friend) | {"name": friend.name}


def listed_friend_of(item: Item) -> Friend:
    claimed_at, friend = keys.listed_friend_parts(item["sk"])
    return Friend(friend, datetime.fromisoformat(claimed_at), item.get("name"))


def claim_of(item: Item) -> Claim:
    return Claim(
        friend=keys.friend_of(item["pk"]),
        campaign=item["campaign"],
        claim_id=item["claim_id"],
        code=item["code"],
        email=item["email"],
        lang=item["lang"],
        claimed_at=moment(item, "claimed_at"),
        variant=item.get("variant"),
        friend_reward_id=item.get("friend_reward_id"),
        reward_emailed_at=stamped(item, "reward_emailed_at"),
        signals=tuple(item.get("signals", ())),
        shadow=tuple(item.get("shadow", ())),
        name=item.get("name"),
    )


def first_order_item(first: FirstOrder) -> Item:
    return keys.converted(first.friend, first.campaign) | {
        "order_id": first.order_id,
        "at": stamp(first.at),
        "code": first.code,
        "claimed_at": stamp(first.claimed_at) if first.claimed_at else None,
        "variant": first.variant,
    }


def first_order_of(friend: str, item: Item) -> FirstOrder:
    return FirstOrder(
        friend=friend,
        campaign=item["sk"].removeprefix(keys.CONVERTED),
        order_id=item["order_id"],
        at=moment(item, "at"),
        code=item["code"],
        claimed_at=stamped(item, "claimed_at"),
        variant=item.get("variant"),
    )


class ClaimStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, email_key: str, campaign: str) -> Claim | None:
        return self.table.read(keys.claim(email_key, campaign), claim_of)

    def note_reward_emailed(self, claim: Claim, now: datetime, not_since: datetime) -> bool:
        """Record that the friend's reward is emailed again, unless it was after `not_since`."""
        try:
            self.table.update(
                keys.claim(claim.friend, claim.campaign),
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
                {
                    ":now": stamp(now),
                    ":since": stamp(not_since),
                    ":expires": expiry(now) + _REFUSAL_KEPT_SECONDS,
                },
                condition="attribute_not_exists(emailed_at) OR emailed_at < :since",
            )
        except ConditionFailed:
            return False
        return True

    def by_coupon(self, coupon_code: str) -> tuple[Claim, FriendHistory] | None:
        """The coupon's item names its reward's owner; a friend's is found among their claims,
        in the one query that also gives their history. A read and a query, never a scan."""
        issued = self.table.get(keys.coupon(coupon_code))
        if issued is None or keys.owner_of(issued["owner"]).kind != "friend":
            return None
        history = self.history(keys.friend_of(issued["owner"]))
        claim = next((c for c in history.claims if c.friend_reward_id == issued["reward_id"]), None)
        return (claim, history) if claim is not None else None

    def history(self, email_key: str) -> FriendHistory:
        """A friend's claims and first orders, in one query (their rewards are skipped)."""
        claims, first_orders = [], {}
        for item in self.table.query(keys.friend_pk(email_key)):
            if item["sk"].startswith(keys.CLAIM):
                claims.append(claim_of(item))
            elif item["sk"].startswith(keys.CONVERTED):
                first = first_order_of(email_key, item)
                first_orders[first.campaign] = first
        return FriendHistory(tuple(claims), first_orders)

    def first_order(self, email_key: str, campaign: str) -> FirstOrder | None:
        item = self.table.get(keys.converted(email_key, campaign))
        return first_order_of(email_key, item) if item else None

    def create(
        self,
        claim: Claim,
        rewards: Sequence[Reward],
        *,
        takes_slot: bool,
        cap: int | None,
        notices: Sequence[Notice] = (),
        listed: Friend | None = None,
    ) -> tuple[ClaimOutcome, Claim | None]:
        """Write the claim, its rewards and the emails it schedules, on an active code (taking
        a slot of its cap when the claim earns the referrer's reward), all or nothing; and the
        friend in the code's own list (`listed`), which the stats page reads with the code. The
        `claims` counter is rolled up from the stream.

        Returns the outcome and, when the friend had already claimed, the earlier claim.
        """
        condition = "attribute_exists(pk) AND #status = :active"
        values: dict[str, object] = {":active": "active"}
        transaction = self.table.transaction().put("claim", _item(claim))
        if takes_slot:
            values[":one"] = 1
            if cap is not None:
                condition += " AND (attribute_not_exists(qualified) OR qualified < :cap)"
                values[":cap"] = cap
            transaction.update(
                "code", keys.code(claim.code), "ADD qualified :one", values, condition, {"#status": "status"}
            )
        else:
            transaction.check("code", keys.code(claim.code), condition, values, {"#status": "status"})
        for index, reward in enumerate(rewards):
            transaction.put(f"reward{index}", reward_item(reward))
        if listed is not None:
            # Without a condition, as the notices: the claim's own decides it is the first.
            transaction.put("listed", friend_item(claim.code, listed), condition=None)
        # Without a condition: the claim's own decides that this is the first, and only, time.
        for index, notice in enumerate(notices):
            transaction.put(f"notice{index}", notice_item(notice), condition=None)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("claim"):
                earlier = cancelled.items["claim"] or self.table.get(keys.claim(claim.friend, claim.campaign))
                return "exists", claim_of(earlier) if earlier else None
            if cancelled.failed("code"):
                old = cancelled.items["code"]
                inactive = old is None or old.get("status") != "active"
                return ("code_inactive" if inactive else "cap_reached"), None
            raise
        return "created", None
