"""The friend's coupon as the shop will hold it: the campaign's terms, fixed before any call to
the shop. Pure; each platform's own request for these terms is in domain/platforms/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from passaparola.domain.campaign import CampaignRules, CouponFixed, CouponPercent
from passaparola.domain.lifecycle import coupon_expires
from passaparola.domain.records import Claim, Reward


@dataclass(frozen=True)
class CouponTerms:
    """One use, by one customer, until `expires_at`: the referral's attribution window, so the
    coupon ends when an order with it would no longer count."""

    code: str
    # The claim's id: the platform's idempotency key, the same on every retry of this coupon.
    key: str
    campaign: str
    reward_id: str
    percent: Decimal | None
    amount: Decimal | None  # in `currency`, the shop's
    currency: str | None
    min_subtotal: Decimal | None
    min_currency: str | None
    starts_at: datetime  # the claim's
    expires_at: datetime
    email: str


def friend_coupon(reward: Reward, claim: Claim, rules: CampaignRules, code: str) -> CouponTerms:
    spec = reward.spec
    if not isinstance(spec, (CouponPercent, CouponFixed)):
        raise ValueError(f"reward {reward.reward_id} is no coupon")
    minimum = rules.min_purchase
    return CouponTerms(
        code=code,
        key=claim.claim_id,
        campaign=rules.slug,
        reward_id=reward.reward_id,
        percent=spec.percent if isinstance(spec, CouponPercent) else None,
        amount=spec.amount if isinstance(spec, CouponFixed) else None,
        currency=spec.currency if isinstance(spec, CouponFixed) else None,
        min_subtotal=minimum.amount if minimum else None,
        min_currency=minimum.currency if minimum else None,
        starts_at=claim.claimed_at,
        expires_at=coupon_expires(claim.claimed_at, rules),
        email=claim.email,
    )


class ShopUnavailable(Exception):
    """The shop did not take the coupon (down, slow, throttled, or refusing the key): the reward
    waits, and the reward queue tries again."""
