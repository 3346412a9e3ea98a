"""The reward lifecycle: pending -> held -> issued (or void), and telling the owner.

`advance` moves one reward as far as it can go right now. It is safe to call any number of
times, from any number of places at once: every step is a conditional write on the current
status, so a step that lost a race simply re-reads and finds the work done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from aws_lambda_powertools import Logger

from passaparola import i18n
from passaparola.domain import codes
from passaparola.domain.campaign import CampaignRules, Rules
from passaparola.domain.errors import NotFound
from passaparola.domain.lifecycle import coupon_last_day
from passaparola.domain.records import (
    IssueOutcome,
    Owner,
    QueueMessage,
    Receipt,
    Reward,
    RewardMessage,
    RewardRef,
)
from passaparola.domain.rewards import hold_until, tier_grant, tier_reward_id, tiers_reached
from passaparola.domain.shop import MONEY_KINDS, as_coupon, friend_coupon, issuer_of, referrer_grant
from passaparola.domain.tokens import StatsTokens
from passaparola.domain.vocabulary import COUPON_KINDS, Revoked
from passaparola.mail import catalogue
from passaparola.services import Clock, Links
from passaparola.services.mail import Mail
from passaparola.services.ports import (
    ClaimStore,
    ReferrerStore,
    RewardIssuer,
    RewardLedger,
    RewardQueue,
    ShopCoupons,
)

logger = Logger(child=True)
_MAX_STEPS = 6  # pending -> held -> issued -> notified, with room for lost races


def enqueue(queue: RewardQueue, rewards: Sequence[Reward]) -> None:
    send(queue, [RewardMessage.for_reward(reward) for reward in rewards])


def send(queue: RewardQueue, messages: Sequence[QueueMessage]) -> None:
    """Hand rewards (or lifecycle emails) to the worker. A failure here loses nothing: they
    are already in the table, and the release schedule picks up any that nobody moved."""
    if not messages:
        return
    try:
        queue.send(messages)
    except Exception:
        logger.exception("could not queue rewards; the release schedule will", extra={"count": len(messages)})


@dataclass(frozen=True)
class ShownReward:
    """A reward as its owner sees it: the ledger's entry, described in their language."""

    reward: Reward
    description: str


def shown(reward: Reward, lang: str, rules: Rules) -> ShownReward:
    campaign = rules.campaign(reward.campaign)
    own = campaign.text(lang).own_words if campaign else None
    return ShownReward(reward, i18n.describe(reward.spec, lang, reward.value, reward.currency, words=own))


@dataclass(frozen=True)
class ReleaseSchedule:
    ledger: RewardLedger
    queue: RewardQueue
    clock: Clock

    def release_due(self, limit: int) -> int:
        """Queue every reward whose turn has come: holds that have ended, and rewards left
        pending or unannounced because a message was lost or gave up. Returns how many."""
        due = list(islice(self.ledger.due(self.clock(), limit), limit))
        self.queue.send(due)
        return len(due)


@dataclass(frozen=True)
class RewardLifecycle:
    rules: Rules
    ledger: RewardLedger
    referrers: ReferrerStore
    claims: ClaimStore
    queue: RewardQueue
    mail: Mail
    tokens: StatsTokens
    links: Links
    clock: Clock
    # The shop the friend's coupon is created in; None: codes the business creates by hand.
    shop: ShopCoupons | None = None
    # The platforms that issue referrers' rewards, by name (the brand's shop and payouts
    # provider); a reward none of them issues waits in the business's fulfilment list.
    issuers: Mapping[str, RewardIssuer] | None = None

    def enqueue(self, rewards: Sequence[Reward]) -> None:
        enqueue(self.queue, rewards)

    def advance(self, ref: RewardRef) -> Reward:
        for _ in range(_MAX_STEPS):
            reward = self._get(ref)
            now = self.clock()
            if reward.status == "pending":
                self.ledger.hold(ref, hold_until(reward.created_at, reward.hold_days))
            elif reward.status == "held" and reward.hold_until is not None and reward.hold_until <= now:
                self._issue(reward, now)
            elif reward.status == "issued" and reward.notified_at is None:
                self._after_issue(reward, now)
                return self._get(ref)
            elif reward.status == "clawed_back" and reward.revocation == "pending":
                self._revoke(reward, now)
                return self._get(ref)
            else:
                return reward
        return self._get(ref)

    def _after_issue(self, reward: Reward, now: datetime) -> None:
        """Milestones, then the owner's email: both before the reward counts as done, so a
        run that crashes half way is finished by the retry or by the release sweep."""
        if reward.takes_slot:
            self._grant_tiers(reward.code, reward.campaign, now)
        if not self.ledger.claim_notification(reward.ref, now):
            return  # another run is sending it
        try:
            self.notify(reward)
        except Exception:
            self.ledger.release_notification(reward.ref)  # so the retry need not wait out the lease
            raise
        self.ledger.mark_notified(reward.ref, now)

    def _get(self, ref: RewardRef) -> Reward:
        reward = self.ledger.get(ref)
        if reward is None:
            raise NotFound(f"no reward {ref.reward_id} for this {ref.owner.kind}")
        return reward

    def _grant_tiers(self, code: str, campaign_slug: str, now: datetime) -> None:
        """Milestone rewards, counted on referrals whose reward was issued (past the refund
        window), each with a fixed id per tier, so each is created exactly once."""
        campaign = self.rules.campaign(campaign_slug)
        referrer = self.referrers.get(code)
        if campaign is None or referrer is None:
            return
        created = []
        for tier in tiers_reached(campaign.rules, referrer.rewarded):
            reward = tier_grant(tier).entry(
                Owner.referrer(code), tier_reward_id(tier), campaign=campaign_slug, code=code, now=now
            )
            if self.ledger.create(reward):
                created.append(reward)
        self.enqueue(created)

    def _issue(self, reward: Reward, now: datetime) -> None:
        coupon = reward.kind in COUPON_KINDS
        campaign = self.rules.campaign(reward.campaign)
        prefix = campaign.rules.prefix if campaign else "GIFT"
        counted_for = reward.code if reward.takes_slot else None
        if coupon and self.shop is not None and reward.owner.kind == "friend" and campaign is not None:
            self._issue_in_shop(reward, campaign.rules, now)
            return
        platform = self._issuer_of(reward, campaign.rules if campaign else None)
        if platform is not None and campaign is not None:
            self._issue_on_platform(reward, platform, campaign.rules, now)
            return
        for _ in range(3):
            coupon_code = codes.coupon_code(prefix) if coupon else None
            outcome = self.ledger.issue(reward.ref, now, coupon_code, counted_for)
            if outcome != "coupon_taken":
                return

    def _reserve_code(self, reward: Reward, prefix: str) -> str | None:
        """The reward's coupon code, fixed in the ledger before any platform is asked for it, so
        every retry asks for the same code; None when the reward is no longer held."""
        if reward.coupon_code is not None:
            return reward.coupon_code
        for _ in range(3):
            candidate = codes.coupon_code(prefix)
            outcome = self.ledger.reserve_coupon(reward.ref, candidate)
            if outcome == "issued":
                return candidate
            if outcome == "not_held":
                return None  # another run got there first
        return None

    def _issue_in_shop(self, reward: Reward, rules: CampaignRules, now: datetime) -> None:
        """The code is fixed in the ledger first, then created in the shop, then the reward is
        issued: a crash or a failure at any point leaves the reward held with its code, and the
        retry asks the shop for that same code (ShopUnavailable: the queue tries again)."""
        assert self.shop is not None
        claim = self.claims.get(reward.owner.id, reward.campaign)
        if claim is None:
            raise NotFound(f"no claim for reward {reward.reward_id}")
        code = self._reserve_code(reward, rules.prefix)
        if code is None:
            return
        self.shop.create(friend_coupon(reward, claim, rules, code))
        self.ledger.issue(reward.ref, now, code, None, reserved=True)

    def _issuer_of(self, reward: Reward, rules: CampaignRules | None) -> str | None:
        """The platform that issues this referrer's reward, if one is wired to."""
        if reward.owner.kind != "referrer" or rules is None or not self.issuers:
            return None
        brand = self.rules.brands.get(rules.brand)
        platform = issuer_of(reward.kind, brand.shop, brand.payouts) if brand else None
        if platform is None or platform not in self.issuers:
            return None
        if reward.kind in MONEY_KINDS and (reward.value is None or reward.currency is None):
            return None  # nothing to ask for: the business works it out
        return platform

    def _issue_on_platform(self, reward: Reward, platform: str, rules: CampaignRules, now: datetime) -> None:
        """A coupon's code is fixed first; then the attempt is written, before the first call,
        taking a lease so that no two runs ask at once; then the platform is asked, with the
        reward's key; then the reward is issued with what the platform made. A retry after a
        lost answer (a crash, a timeout) first reads back what the platform holds for the
        reward, and takes it if no other reward holds it, so nothing is issued twice, even by a
        platform without an idempotency key. A platform down raises ShopUnavailable: the reward
        stays held and the queue tries again."""
        assert self.issuers is not None
        issuer = self.issuers[platform]
        referrer = self.referrers.get(reward.owner.id)
        if referrer is None:
            raise NotFound(f"no referrer {reward.owner.id} for reward {reward.reward_id}")
        coupon = as_coupon(reward.kind, platform)
        code = self._reserve_code(reward, rules.prefix) if coupon else None
        if coupon and code is None:
            return
        first = self.ledger.attempt(reward.ref, now)
        if first is None:
            return  # no longer held, or another run is asking the platform right now
        grant = referrer_grant(reward, referrer, rules, platform, code, first)
        try:
            if first < now:  # an earlier try asked: its answer may have been lost
                for found in issuer.found(grant):
                    if self._record(reward, now, code, found) != "reference_taken":
                        return
            self._record(reward, now, code, issuer.issue(grant))
        except Exception:
            self.ledger.release_attempt(reward.ref)  # so the retry need not wait out the lease
            raise

    def _record(
        self, reward: Reward, now: datetime, code: str | None, receipt: Receipt | None
    ) -> IssueOutcome:
        """held -> issued with what the platform made; without a receipt (the platform could not
        for this person) onto the business's fulfilment list, as without a platform."""
        counted_for = reward.code if reward.takes_slot else None
        if receipt is None:
            return self.ledger.issue(reward.ref, now, None, counted_for)
        return self.ledger.issue(
            reward.ref, now, code, counted_for, reserved=code is not None, receipt=receipt
        )

    def _revoke(self, reward: Reward, now: datetime) -> None:
        """A refunded reward's code, deactivated in the shop unless it was used (then the
        clawback is all there is). The shop deactivates a code any number of times alike, so a
        retry after a crash is harmless; ShopUnavailable: the queue tries again."""
        if self.shop is None or reward.coupon_code is None:
            revoked: Revoked = "absent"  # the brand's shop is gone since the refund
        else:
            revoked = self.shop.deactivate(reward.coupon_code)
        self.ledger.note_revocation(reward.ref, revoked, now)
        logger.info("refunded code asked of the shop", extra={"reward": reward.reward_id, "shop": revoked})

    def notify(self, reward: Reward) -> None:
        """Email the reward to its owner (also used to send a friend's reward again). A friend's
        gift answers their claim; any other reward comes days after what earned it, so it goes
        only to an address that has not unsubscribed from the campaign."""
        campaign = self.rules.campaign(reward.campaign)
        if campaign is None:
            logger.warning("reward of no campaign", extra={"reward": reward.reward_id})
            return
        letterhead = self.mail.letterhead(self.rules.brands[campaign.rules.brand])
        if reward.owner.kind == "friend":
            claim = self.claims.get(reward.owner.id, reward.campaign)
            if claim is None:
                logger.warning("reward has no one to tell", extra={"reward": reward.reward_id})
                return
            lang = claim.lang or campaign.default_lang
            coupon = reward.kind in COUPON_KINDS
            email = catalogue.friend_gift(
                to=claim.email,
                lang=lang,
                campaign=campaign,
                letterhead=letterhead,
                reward=reward,
                use_by=coupon_last_day(claim.claimed_at, campaign.rules) if coupon else None,
                join_url=self.links.join(campaign.rules.slug, lang, claim.email),
            )
        else:
            switch = "tier_reached" if reward.role == "tier" else "reward_issued"
            if not campaign.rules.emails.on(switch):
                logger.info("reward not emailed: switched off", extra={"reward": reward.reward_id})
                return
            referrer = self.referrers.get(reward.owner.id)
            if referrer is None:
                logger.warning("reward has no one to tell", extra={"reward": reward.reward_id})
                return
            lang = referrer.lang or campaign.default_lang
            email = catalogue.reward_issued(
                to=referrer.email,
                lang=lang,
                name=referrer.display_name,
                campaign=campaign,
                letterhead=letterhead,
                reward=reward,
                stats_url=self.links.stats(lang, self.tokens.issue(reward.code, self.clock())),
                unsubscribe=self.mail.unsubscribe(referrer.email_key, reward.campaign, lang),
            )
        if not self.mail.send(email):
            logger.info("reward not emailed: unsubscribed", extra={"reward": reward.reward_id})
