"""POST /claims: a referred friend takes the offer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from passaparola.domain import emails
from passaparola.domain.errors import SelfReferral
from passaparola.domain.rewards import friend_grant, referrer_grant_on_claim
from passaparola.services import Clock
from passaparola.services.codes import CodeValidator, invalid
from passaparola.services.rewards import RewardLifecycle, view
from passaparola.storage import keys
from passaparola.storage.claims import ClaimStore
from passaparola.storage.dynamo import Item, stamp
from passaparola.storage.rewards import pending_item

logger = Logger(child=True)
# A claim with an address that has already claimed sends the reward to that address again (its
# owner may have lost it), but not more often than this: the form must not flood an inbox.
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
        lifecycle: RewardLifecycle,
        clock: Clock,
    ) -> None:
        self.validator = validator
        self.claims = claims
        self.lifecycle = lifecycle
        self.clock = clock

    def claim(self, raw_code: str, email: str, locale: str | None, variant: str | None) -> Claimed:
        valid = self.validator.check(raw_code)
        campaign = valid.campaign
        address = emails.clean(email)
        friend = emails.key(address)
        if friend == valid.item.get("email_key"):
            raise SelfReferral("you cannot claim your own referral; share the link with a friend instead")
        emails.refuse_disposable(address)
        lang = locale if locale in campaign.texts else campaign.default_lang
        slug = campaign.rules.slug
        now = self.clock()
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
        referrer_reward = referrer_grant_on_claim(campaign.rules)
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
        claim_id = f"cl_{secrets.token_urlsafe(12)}"
        claim = keys.claim(friend, slug) | {
            "claim_id": claim_id,
            "campaign": slug,
            "code": valid.code,
            "email": address,
            "lang": lang,
            "variant": variant if variant in campaign.variants else None,
            "claimed_at": stamp(now),
            "friend_reward_id": f"friend-{slug}" if friend_reward else None,
            # The reward is issued and emailed right after this write.
            "reward_emailed_at": stamp(now) if friend_reward else None,
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
        reward_id = claim["friend_reward_id"]
        reward = self._friend_reward(claim, reward_id) if reward_id else None
        shown = friend_view(reward, lang, with_coupon=True) if reward else None
        return Claimed(claim_id, True, slug, shown)

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


def friend_view(reward: Item, lang: str, *, with_coupon: bool) -> dict[str, Any]:
    """What a claim's answer shows of the friend's reward: no ids or times, and the coupon only
    to the claim that created it."""
    shown = view(reward, lang)
    fields = ("kind", "description", "status", "value", "currency")
    return {key: shown[key] for key in fields} | {
        "coupon_code": shown["coupon_code"] if with_coupon else None
    }
