"""POST /claims: a referred friend takes the offer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from aws_lambda_powertools import Logger

from passaparola.domain import clients, emails, fraud, people
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.customers import MarkerKeys
from passaparola.domain.emails import PersonKeys
from passaparola.domain.errors import DomainError, RejectedEmail, SelfReferral
from passaparola.domain.lifecycle import due, reminder_at
from passaparola.domain.people import MAX_FRIEND_NAME
from passaparola.domain.records import Claim, Friend, Notice, Owner, Reward, RewardRef
from passaparola.domain.rewards import friend_grant, referrer_grant_on_claim
from passaparola.domain.vocabulary import COUPON_KINDS, Reason, UnreviewedStatus
from passaparola.mail import catalogue
from passaparola.services import Clock
from passaparola.services.codes import CodeValidator, ValidCode, invalid
from passaparola.services.ports import ClaimStore, MarkerStore
from passaparola.services.rewards import RewardLifecycle, send, shown

logger = Logger(child=True)
# Refusals that say nothing about the address's history: a caller who knows whose code it is
# learns that much already, and a throwaway domain is a property of the address itself.
REFUSALS: dict[Reason, Callable[[], DomainError]] = {
    "self_referral": lambda: SelfReferral(
        "you cannot claim your own referral; share the link with a friend instead"
    ),
    "disposable_email": lambda: RejectedEmail(
        "email uses a disposable (throwaway) domain; use a permanent address", code="disposable_email"
    ),
}
# A claim with an address that has already claimed sends the reward to that address again (its
# owner may have lost it), and an existing customer is told by email that the offer is for new
# customers; neither more often than this, so the form cannot flood an inbox.
RESEND_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class FriendGift:
    """The friend's reward as a claim's answer shows it: what it is, never when or whose, and
    its coupon code only to the claim that created it."""

    kind: str
    description: str
    status: UnreviewedStatus
    value: Decimal | None
    currency: str | None
    coupon_code: str | None


@dataclass(frozen=True)
class Claimed:
    claim_id: str
    created: bool
    campaign: str
    friend_reward: FriendGift | None


@dataclass(frozen=True)
class Claims:
    validator: CodeValidator
    claims: ClaimStore
    markers: MarkerStore
    marker_keys: MarkerKeys
    person_keys: PersonKeys
    client_salt: bytes
    lifecycle: RewardLifecycle
    clock: Clock

    def claim(
        self,
        raw_code: str,
        email: str,
        locale: str | None,
        variant: str | None,
        client: str,
        name: str | None = None,
    ) -> Claimed:
        given_name = people.display_name(name, MAX_FRIEND_NAME)
        valid = self.validator.check(raw_code)
        campaign = valid.campaign
        address = emails.clean(email)
        friend = self.person_keys.of(address)
        now = self.clock()
        lang = locale if locale in campaign.texts else campaign.default_lang
        slug = campaign.rules.slug
        same_client = self._same_client(valid, client, now)
        verdict = fraud.assess_claim(
            fraud.ClaimFacts(
                campaign=campaign.rules,
                friend=friend,
                friend_disposable=emails.is_disposable(address),
                referrer=valid.referrer.email_key,
                customer_since=self._customer_since(valid, address, friend),
                same_client=same_client,
                same_mailbox=emails.same_mailbox(address, valid.referrer.email),
            )
        )
        if verdict.rejection == "existing_customer":
            return self._existing_customer(campaign, address, friend, lang, now)
        if verdict.rejection:
            raise REFUSALS[verdict.rejection]()
        rewards: list[Reward] = []
        gift = friend_grant(campaign.rules)
        friend_reward = (
            gift.entry(Owner.friend(friend), f"friend-{slug}", campaign=slug, code=valid.code, now=now)
            if gift
            else None
        )
        if friend_reward:
            rewards.append(friend_reward)
        # A claim rewarded by itself has no order to review: the referrer's reward is withheld.
        referrer_grant = None if verdict.review else referrer_grant_on_claim(campaign.rules)
        if referrer_grant:
            rewards.append(
                referrer_grant.entry(
                    Owner.referrer(valid.code),
                    f"claim-{friend}",
                    campaign=slug,
                    code=valid.code,
                    now=now,
                    takes_slot=True,
                    friend=friend,
                )
            )
        claim = Claim(
            friend=friend,
            campaign=slug,
            claim_id=_claim_id(),
            code=valid.code,
            email=address,
            lang=lang,
            claimed_at=now,
            variant=variant if variant in campaign.variants else None,
            friend_reward_id=friend_reward.reward_id if friend_reward else None,
            # The reward is issued and emailed right after this write.
            reward_emailed_at=now if friend_reward else None,
            # Judged again on the order this claim brings: same_client asks for a review there.
            signals=("same_client",) if same_client else (),
            shadow=verdict.shadow,
            name=given_name,
        )
        notices = _notices(valid, claim, friend_reward, takes_slot=referrer_grant is not None)
        outcome, earlier = self.claims.create(
            claim,
            rewards,
            takes_slot=referrer_grant is not None,
            cap=campaign.rules.max_rewards_per_referrer,
            notices=notices,
            # The referrer's list shows the friend by first name and initial, never more.
            listed=Friend(friend, now, people.short_name(given_name)),
        )
        if outcome == "exists" and earlier is not None:
            return self._again(earlier, lang, now)
        if outcome in ("code_inactive", "cap_reached"):
            raise invalid("inactive" if outcome == "code_inactive" else "cap_reached")
        self.lifecycle.enqueue(rewards)
        send(self.lifecycle.queue, due(notices, now))
        issued = self._friend_reward(friend_reward.ref) if friend_reward else None
        return Claimed(
            claim.claim_id,
            True,
            slug,
            _gift(issued, lang, self.lifecycle.rules, with_coupon=True) if issued else None,
        )

    def _same_client(self, valid: ValidCode, client: str, now: datetime) -> bool:
        """Whether the claim comes from the network the referrer enrolled from, today."""
        if valid.campaign.rules.fraud.same_client == "off":
            return False
        return valid.referrer.enrol_client == clients.client_of_day(self.client_salt, client, now.date())

    def _customer_since(self, valid: ValidCode, address: str, friend: str) -> datetime | None:
        """When the friend's email was first on a paid order, unless they already claimed in
        this campaign: then the orders since are their own referred ones."""
        if valid.campaign.rules.fraud.existing_customer == "off":
            return None
        marker = self.markers.find({"email": self.marker_keys.email(address)}).get("email")
        if marker is None or self.claims.get(friend, valid.campaign.rules.slug) is not None:
            return None
        return marker.first_seen_at

    def _again(self, claim: Claim, lang: str, now: datetime) -> Claimed:
        """The address has claimed in this campaign before, and whoever asks now may not own
        it. The answer looks like a first claim's, in the language asked for, but holds no
        coupon: the reward goes again by email to the address that claimed."""
        reward = None
        if claim.friend_reward_id:
            reward = self.lifecycle.ledger.get(RewardRef(Owner.friend(claim.friend), claim.friend_reward_id))
        # Until its first email has gone out, the worker is still on it and will send it.
        if reward is not None and reward.notified_at is not None:
            self._resend(claim, reward, now)
        shown_reward = _gift(reward, lang, self.lifecycle.rules, with_coupon=False) if reward else None
        return Claimed(claim.claim_id, False, claim.campaign, shown_reward)

    def _existing_customer(
        self, campaign: CompiledCampaign, address: str, friend: str, lang: str, now: datetime
    ) -> Claimed:
        """Refused, but answered as a repeat claim is: whoever typed the address may not own it,
        and whether someone has bought from the shop is theirs to know. The owner is told by
        email why no coupon comes."""
        slug = campaign.rules.slug
        logger.info("claim refused", extra={"campaign": slug, "reason": "existing_customer"})
        if self.claims.note_refusal_emailed(friend, slug, now, now - RESEND_AFTER):
            mail = self.lifecycle.mail
            letterhead = mail.letterhead(self.lifecycle.rules.brands[campaign.rules.brand])
            try:
                mail.send(
                    catalogue.new_customers_only(
                        to=address, lang=lang, campaign=campaign, letterhead=letterhead
                    )
                )
            except Exception:
                logger.exception("emailing an existing customer failed", extra={"campaign": slug})
        grant = friend_grant(campaign.rules)
        gift = None
        if grant is not None:
            gift = FriendGift(
                kind=grant.spec.type,
                description=campaign.text(lang).friend_offer or "",  # the build words every gift
                status="issued",
                value=grant.value,
                currency=grant.currency,
                coupon_code=None,
            )
        return Claimed(_claim_id(), False, slug, gift)

    def _resend(self, claim: Claim, reward: Reward, now: datetime) -> None:
        if not self.claims.note_reward_emailed(claim, now, now - RESEND_AFTER):
            return
        try:
            self.lifecycle.notify(reward)
        except Exception:
            # The answer does not depend on the email; the next claim an hour on tries again.
            logger.exception("emailing the friend reward again failed", extra={"reward": reward.reward_id})

    def _friend_reward(self, ref: RewardRef) -> Reward | None:
        """Issue the friend's reward now, so the page can show the coupon at once. The queued
        message does the same if this fails; whichever runs second finds nothing to do."""
        try:
            return self.lifecycle.advance(ref)
        except Exception:
            # Whatever failed (SES, a throttled table), the claim is recorded and its reward
            # queued: answer with the reward as it stands, and let the worker finish it.
            logger.exception(
                "issuing the friend reward inline failed; the worker will", extra={"reward": ref.reward_id}
            )
            return self.lifecycle.ledger.get(ref)


def _notices(
    valid: ValidCode, claim: Claim, friend_reward: Reward | None, *, takes_slot: bool
) -> list[Notice]:
    """The emails a claim schedules (each written with it, sent once): the referrer told of it
    (of a claim that earns a reward under a hold, the reward's own email tells at once when
    there is none); the last slot of their cap; and the friend's coupon recalled before it ends."""
    rules, now, code = valid.campaign.rules, claim.claimed_at, valid.code
    notices = []
    if rules.emails.friend_claimed and (rules.reward_on == "purchase" or (takes_slot and rules.hold_days)):
        notices.append(Notice("friend_claimed", rules.slug, code, now, friend=claim.friend))
    cap = rules.max_rewards_per_referrer
    if takes_slot and cap is not None and valid.referrer.qualified + 1 >= cap and rules.emails.cap_reached:
        notices.append(Notice("cap_reached", rules.slug, code, now))
    if friend_reward is not None and friend_reward.kind in COUPON_KINDS and rules.emails.coupon_reminder:
        reminder = reminder_at(now, rules)
        coupon = friend_reward.reward_id
        friend = claim.friend
        notices.append(Notice("coupon_reminder", rules.slug, code, reminder, friend=friend, reward_id=coupon))
    return notices


def _claim_id() -> str:
    return f"cl_{secrets.token_urlsafe(12)}"


def _gift(reward: Reward, lang: str, rules: Rules, *, with_coupon: bool) -> FriendGift:
    """What a claim's answer shows of the friend's reward: no ids or times, and the coupon only
    to the claim that created it."""
    if reward.status == "review":  # pragma: no cover - a friend's reward is never reviewed
        raise ValueError("a friend's reward is given without review")
    return FriendGift(
        kind=reward.kind,
        description=shown(reward, lang, rules).description,
        status=reward.status,
        value=reward.value,
        currency=reward.currency,
        # A code held while the shop creates it is not shown: it would not work at checkout yet.
        coupon_code=reward.coupon_code if with_coupon and reward.status == "issued" else None,
    )
