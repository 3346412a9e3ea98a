"""POST /claims: a referred friend takes the offer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from passaparola import messages
from passaparola.domain import clients, emails, fraud
from passaparola.domain.campaign import CompiledCampaign
from passaparola.domain.customers import Identifiers, MarkerKeys
from passaparola.domain.errors import DomainError, RejectedEmail, SelfReferral
from passaparola.domain.rewards import friend_grant, referrer_grant_on_claim
from passaparola.services import Clock
from passaparola.services.codes import CodeValidator, ValidCode, invalid
from passaparola.services.rewards import RewardLifecycle, view
from passaparola.storage import keys
from passaparola.storage.claims import ClaimStore
from passaparola.storage.dynamo import Item, stamp
from passaparola.storage.markers import MarkerStore
from passaparola.storage.rewards import pending_item

logger = Logger(child=True)
# Refusals that say nothing about the address's history: a caller who knows whose code it is
# learns that much already, and a throwaway domain is a property of the address itself.
REFUSALS: dict[str, Callable[[], DomainError]] = {
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
class Claimed:
    claim_id: str
    created: bool
    campaign: str
    friend_reward: dict[str, Any] | None


class Claims:
    def __init__(
        self,
        validator: CodeValidator,
        claims: ClaimStore,
        markers: MarkerStore,
        marker_keys: MarkerKeys,
        client_salt: bytes,
        lifecycle: RewardLifecycle,
        clock: Clock,
    ) -> None:
        self.validator = validator
        self.claims = claims
        self.markers = markers
        self.marker_keys = marker_keys
        self.client_salt = client_salt
        self.lifecycle = lifecycle
        self.clock = clock

    def claim(
        self, raw_code: str, email: str, locale: str | None, variant: str | None, client: str
    ) -> Claimed:
        valid = self.validator.check(raw_code)
        campaign = valid.campaign
        address = emails.clean(email)
        friend = emails.key(address)
        now = self.clock()
        lang = locale if locale in campaign.texts else campaign.default_lang
        slug = campaign.rules.slug
        same_client = self._same_client(valid, client, now)
        verdict = fraud.assess_claim(
            fraud.ClaimFacts(
                campaign=campaign.rules,
                friend=friend,
                friend_disposable=emails.is_disposable(address),
                referrer=valid.item["email_key"],
                customer_since=self._customer_since(valid, address, friend),
                same_client=same_client,
            )
        )
        if verdict.rejection == "existing_customer":
            return self._existing_customer(campaign, address, friend, lang, now)
        if verdict.rejection:
            raise REFUSALS[verdict.rejection]()
        rewards = []
        friend_reward = friend_grant(campaign.rules)
        if friend_reward:
            rewards.append(
                pending_item(
                    keys.friend_pk(friend),
                    f"friend-{slug}",
                    friend_reward,
                    campaign=slug,
                    code=valid.code,
                    now=now,
                )
            )
        # A claim rewarded by itself has no order to review: the referrer's reward is withheld.
        referrer_reward = None if verdict.review else referrer_grant_on_claim(campaign.rules)
        if referrer_reward:
            rewards.append(
                pending_item(
                    keys.code(valid.code)["pk"],
                    f"claim-{friend}",
                    referrer_reward,
                    campaign=slug,
                    code=valid.code,
                    now=now,
                    takes_slot=True,
                )
            )
        claim_id = _claim_id()
        reward_id = f"friend-{slug}" if friend_reward else None
        claim = keys.claim(friend, slug) | {
            "claim_id": claim_id,
            "campaign": slug,
            "code": valid.code,
            "email": address,
            "lang": lang,
            "variant": variant if variant in campaign.variants else None,
            "claimed_at": stamp(now),
            "friend_reward_id": reward_id,
            # The reward is issued and emailed right after this write.
            "reward_emailed_at": stamp(now) if friend_reward else None,
            # Judged again on the order this claim brings: same_client asks for a review there.
            "signals": ["same_client"] if same_client else None,
            "shadow": list(verdict.shadow) or None,
        }
        outcome, existing = self.claims.create(
            claim,
            valid.code,
            rewards,
            takes_slot=referrer_reward is not None,
            cap=campaign.rules.max_rewards_per_referrer,
        )
        if outcome == "exists" and existing is not None:
            return self._again(existing, lang, now)
        if outcome in ("code_inactive", "cap_reached"):
            raise invalid("inactive" if outcome == "code_inactive" else "cap_reached")
        self.lifecycle.enqueue(rewards)
        reward = self._friend_reward(claim, reward_id) if reward_id else None
        shown = friend_view(reward, lang, with_coupon=True) if reward else None
        return Claimed(claim_id, True, slug, shown)

    def _same_client(self, valid: ValidCode, client: str, now: datetime) -> bool:
        """Whether the claim comes from the network the referrer enrolled from, today."""
        if valid.campaign.rules.fraud.same_client == "off":
            return False
        return valid.item.get("enrol_client") == clients.client_of_day(self.client_salt, client, now.date())

    def _customer_since(self, valid: ValidCode, address: str, friend: str) -> datetime | None:
        """When the friend's email was first on a paid order, unless they already claimed in
        this campaign: then the orders since are their own referred ones."""
        if valid.campaign.rules.fraud.existing_customer == "off":
            return None
        marker = self.markers.find(self.marker_keys.of(Identifiers(address))).get("email")
        if marker is None or self.claims.get(friend, valid.campaign.rules.slug) is not None:
            return None
        return marker.first_seen_at

    def _again(self, claim: Item, lang: str, now: datetime) -> Claimed:
        """The address has claimed in this campaign before, and whoever asks now may not own
        it. The answer looks like a first claim's, in the language asked for, but holds no
        coupon: the reward goes again by email to the address that claimed."""
        reward_id = claim.get("friend_reward_id")
        reward = self.lifecycle.rewards.get(claim["pk"], reward_id) if reward_id else None
        # Until its first email has gone out, the worker is still on it and will send it.
        if reward is not None and "notified_at" in reward:
            self._resend(claim, reward, now)
        shown = friend_view(reward, lang, with_coupon=False) if reward else None
        return Claimed(claim["claim_id"], False, claim["campaign"], shown)

    def _existing_customer(
        self, campaign: CompiledCampaign, address: str, friend: str, lang: str, now: datetime
    ) -> Claimed:
        """Refused, but answered as a repeat claim is: whoever typed the address may not own it,
        and whether someone has bought from the shop is theirs to know. The owner is told by
        email why no coupon comes."""
        slug = campaign.rules.slug
        logger.info("claim refused", extra={"campaign": slug, "reason": "existing_customer"})
        if self.claims.note_refusal_emailed(friend, slug, now, now - RESEND_AFTER):
            brand = self.lifecycle.rules.brands[campaign.rules.brand]
            try:
                self.lifecycle.mailer.send(
                    messages.new_customers_only(to=address, lang=lang, campaign=campaign, brand=brand)
                )
            except Exception:
                logger.exception("emailing an existing customer failed", extra={"campaign": slug})
        grant = friend_grant(campaign.rules)
        shown = None
        if grant is not None:
            shown = {
                "kind": grant.reward.type,
                "description": campaign.text(lang).friend_offer,
                "status": "issued",
                "value": str(grant.value) if grant.value is not None else None,
                "currency": grant.currency,
                "coupon_code": None,
            }
        return Claimed(_claim_id(), False, slug, shown)

    def _resend(self, claim: Item, reward: Item, now: datetime) -> None:
        if not self.claims.note_reward_emailed(claim, now, now - RESEND_AFTER):
            return
        try:
            self.lifecycle.notify(reward)
        except Exception:
            # The answer does not depend on the email; the next claim an hour on tries again.
            logger.exception("emailing the friend reward again failed", extra={"reward": reward["reward_id"]})

    def _friend_reward(self, claim: Item, reward_id: str) -> Item | None:
        """Issue the friend's reward now, so the page can show the coupon at once. The queued
        message does the same if this fails; whichever runs second finds nothing to do."""
        owner = claim["pk"]
        try:
            return self.lifecycle.advance(owner, reward_id)
        except Exception:
            # Whatever failed (SES, a throttled table), the claim is recorded and its reward
            # queued: answer with the reward as it stands, and let the worker finish it.
            logger.exception(
                "issuing the friend reward inline failed; the worker will", extra={"reward": reward_id}
            )
            return self.lifecycle.rewards.get(owner, reward_id)


def _claim_id() -> str:
    return f"cl_{secrets.token_urlsafe(12)}"


def friend_view(reward: Item, lang: str, *, with_coupon: bool) -> dict[str, Any]:
    """What a claim's answer shows of the friend's reward: no ids or times, and the coupon only
    to the claim that created it."""
    shown = view(reward, lang)
    fields = ("kind", "description", "status", "value", "currency")
    return {key: shown[key] for key in fields} | {
        "coupon_code": shown["coupon_code"] if with_coupon else None
    }
