"""The reward lifecycle: pending -> held -> issued (or void), and telling the owner.

`advance` moves one reward as far as it can go right now. It is safe to call any number of
times, from any number of places at once: every step is a conditional write on the current
status, so a step that lost a race simply re-reads and finds the work done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import TypeAdapter

from passaparola import i18n, messages
from passaparola.domain import codes
from passaparola.domain.campaign import Reward, Rules
from passaparola.domain.errors import NotFound
from passaparola.domain.rewards import hold_until, tier_grant, tiers_reached
from passaparola.domain.tokens import StatsTokens
from passaparola.services import Clock, Links
from passaparola.storage import keys
from passaparola.storage.claims import ClaimStore
from passaparola.storage.dynamo import Item
from passaparola.storage.mailer import Mailer
from passaparola.storage.queue import RewardMessage, RewardQueue
from passaparola.storage.referrers import ReferrerStore
from passaparola.storage.rewards import RewardStore, pending_item

logger = Logger(child=True)
reward_adapter: TypeAdapter[Reward] = TypeAdapter(Reward)
COUPON_KINDS = frozenset({"coupon_percent", "coupon_fixed"})
_MAX_STEPS = 6  # pending -> held -> issued -> notified, with room for lost races


def message_for(item: Item) -> RewardMessage:
    return RewardMessage(owner=item["pk"], reward_id=item["reward_id"], from_status=item["status"])


def enqueue(queue: RewardQueue, items: Sequence[Item]) -> None:
    send(queue, [message_for(item) for item in items])


def send(queue: RewardQueue, messages: list[RewardMessage]) -> None:
    """Hand rewards to the worker. A failure here loses nothing: the rewards are already in
    the ledger, and the release schedule picks up any pending reward nobody moved."""
    if not messages:
        return
    try:
        queue.send(messages)
    except Exception:
        logger.exception("could not queue rewards; the release schedule will", extra={"count": len(messages)})


def describe(item: Item, lang: str) -> str:
    value = item.get("value")
    return i18n.describe(reward_adapter.validate_python(item["spec"]), lang, value, item.get("currency"))


def view(item: Item, lang: str) -> dict[str, Any]:
    """The public shape of a reward, for its owner's eyes only."""
    value = item.get("value")
    return {
        "id": item["reward_id"],
        "role": item["role"],
        "kind": item["kind"],
        "description": describe(item, lang),
        "status": item["status"],
        "value": str(value) if value is not None else None,
        "currency": item.get("currency"),
        "coupon_code": item.get("coupon_code"),
        "created_at": item["created_at"],
        "hold_until": item.get("hold_until"),
        "issued_at": item.get("issued_at"),
    }


def release_due(rewards: RewardStore, queue: RewardQueue, now: datetime, limit: int) -> int:
    """Queue every reward whose turn has come: holds that have ended, and rewards left pending
    or unannounced because a message was lost or gave up. Returns how many were queued."""
    due = list(islice(rewards.due(now, limit), limit))
    queue.send([message_for(item) for item in due])
    return len(due)


class RewardLifecycle:
    def __init__(
        self,
        rules: Rules,
        rewards: RewardStore,
        referrers: ReferrerStore,
        claims: ClaimStore,
        queue: RewardQueue,
        mailer: Mailer,
        tokens: StatsTokens,
        links: Links,
        clock: Clock,
    ) -> None:
        self.rules = rules
        self.rewards = rewards
        self.referrers = referrers
        self.claims = claims
        self.queue = queue
        self.mailer = mailer
        self.tokens = tokens
        self.links = links
        self.clock = clock

    def enqueue(self, items: Sequence[Item]) -> None:
        enqueue(self.queue, items)

    def advance(self, owner: str, reward_id: str) -> Item:
        for _ in range(_MAX_STEPS):
            item = self._get(owner, reward_id)
            now = self.clock()
            status = item["status"]
            if status == "pending":
                created = datetime.fromisoformat(item["created_at"])
                self.rewards.hold(owner, reward_id, hold_until(created, int(item["hold_days"])))
            elif status == "held" and datetime.fromisoformat(item["hold_until"]) <= now:
                self._issue(item, now)
            elif status == "issued" and "notified_at" not in item:
                self._after_issue(item, now)
                return self._get(owner, reward_id)
            else:
                return item
        return self._get(owner, reward_id)

    def _after_issue(self, item: Item, now: datetime) -> None:
        """Milestones, then the owner's email: both before the reward counts as done, so a
        run that crashes half way is finished by the retry or by the release sweep."""
        owner, reward_id = item["pk"], item["reward_id"]
        if item.get("takes_slot"):
            self._grant_tiers(item["code"], item["campaign"], now)
        if not self.rewards.claim_notification(owner, reward_id, now):
            return  # another run is sending it
        try:
            self.notify(item)
        except Exception:
            self.rewards.release_notification(owner, reward_id)  # so the retry need not wait out the lease
            raise
        self.rewards.mark_notified(owner, reward_id, now)

    def _get(self, owner: str, reward_id: str) -> Item:
        item = self.rewards.get(owner, reward_id)
        if item is None:
            raise NotFound(f"no reward {reward_id} for {owner}")
        return item

    def _grant_tiers(self, code: str, campaign_slug: str, now: datetime) -> None:
        """Milestone rewards, counted on referrals whose reward was issued (past the refund
        window), each with a fixed id per tier, so each is created exactly once."""
        campaign = self.rules.campaign(campaign_slug)
        referrer = self.referrers.get(code)
        if campaign is None or referrer is None:
            return
        created = []
        for tier in tiers_reached(campaign.rules, int(referrer.get("rewarded", 0))):
            item = pending_item(
                keys.code(code)["pk"],
                f"tier-{tier.after}",
                tier_grant(tier),
                campaign=campaign_slug,
                code=code,
                now=now,
            )
            if self.rewards.create(item):
                created.append(item)
        self.enqueue(created)

    def _issue(self, item: Item, now: datetime) -> None:
        coupon = item["kind"] in COUPON_KINDS
        campaign = self.rules.campaign(item["campaign"])
        prefix = campaign.rules.prefix if campaign else "GIFT"
        counted_for = item["code"] if item.get("takes_slot") else None
        for _ in range(3):
            coupon_code = codes.coupon_code(prefix) if coupon else None
            outcome = self.rewards.issue(item["pk"], item["reward_id"], now, coupon_code, counted_for)
            if outcome != "coupon_taken":
                return

    def notify(self, item: Item) -> None:
        """Email the reward to its owner (also used to send a friend's reward again)."""
        recipient = self._recipient(item)
        campaign = self.rules.campaign(item["campaign"])
        if recipient is None or campaign is None:
            logger.warning("reward has no one to tell", extra={"reward": item["reward_id"]})
            return
        lang = recipient.get("lang") or campaign.default_lang
        stats_url = None
        if item["pk"].startswith("CODE#"):
            stats_url = self.links.stats(lang, self.tokens.issue(item["code"], self.clock()))
        self.mailer.send(
            messages.reward_issued(
                to=recipient["email"],
                lang=lang,
                name=recipient.get("display_name"),
                brand=self.rules.brands[campaign.rules.brand],
                reward=describe(item, lang),
                coupon_code=item.get("coupon_code"),
                stats_url=stats_url,
            )
        )

    def _recipient(self, item: Item) -> Item | None:
        owner: str = item["pk"]
        if owner.startswith("CODE#"):
            return self.referrers.get(owner.removeprefix("CODE#"))
        return self.claims.get(owner.removeprefix("FRIEND#"), item["campaign"])
