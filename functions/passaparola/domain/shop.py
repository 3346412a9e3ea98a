"""Rewards as the platforms will hold them: the friend's coupon (the campaign's terms) and the
referrer's reward (a coupon, store credit, a free month, or a payout), each fixed before any
call to the platform. Pure; each platform's own request is in domain/platforms/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from passaparola.domain.campaign import CampaignRules, CouponFixed, CouponPercent, Payouts, Shop
from passaparola.domain.lifecycle import coupon_expires
from passaparola.domain.records import Claim, Referrer, Reward
from passaparola.domain.vocabulary import COUPON_KINDS


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
    expires_at: datetime | None  # None: a referrer's, which has no window to end with
    email: str
    # A friend's code is for a first order; a referrer has ordered before.
    first_order: bool = True


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


# What each platform issues of a referrer's reward (README, "Rewards in your shop"); any other
# kind, and any kind without a shop or payouts provider to issue it, waits in the business's
# fulfilment list as before.
SHOP_ISSUES: dict[str, frozenset[str]] = {
    "stripe": COUPON_KINDS | {"credit", "free_period"},
    "shopify": COUPON_KINDS | {"credit"},
    "woocommerce": COUPON_KINDS | {"credit"},
}
PAYOUTS_ISSUES: dict[str, frozenset[str]] = {"tremendous": frozenset({"cash", "gift_card", "donation"})}
MONEY_KINDS = frozenset({"credit", "cash", "gift_card", "donation"})


def issuer_of(kind: str, shop: Shop | None, payouts: Payouts) -> str | None:
    """The platform that issues a referrer's reward of this kind, or None: the business does."""
    if shop is not None and kind in SHOP_ISSUES[shop.platform]:
        return shop.platform
    if kind in PAYOUTS_ISSUES.get(payouts.provider, ()) and (payouts.campaign or payouts.products_for(kind)):
        return payouts.provider
    return None


def as_coupon(kind: str, platform: str) -> bool:
    """Whether the platform makes this kind as a coupon, whose code is fixed before the call:
    WooCommerce has no store credit, so a credit there is a fixed-cart coupon for the
    referrer's email alone."""
    return kind in COUPON_KINDS or (kind == "credit" and platform == "woocommerce")


@dataclass(frozen=True)
class Grant:
    """A referrer's reward as one platform will be asked for it. `key` is the reward's
    idempotency key (Stripe's Idempotency-Key, Tremendous's external_id), the same on every
    retry; `attempted_at` is when the first call began (None before it), so a platform without
    a key can tell which of what it holds a lost answer made."""

    key: str
    reward_id: str
    campaign: str
    kind: str
    email: str
    name: str
    lang: str
    amount: Decimal | None  # the reward's worth in `currency` (money kinds)
    currency: str | None
    months: int | None  # a free period's
    coupon: CouponTerms | None  # what as_coupon() makes a coupon, with the code fixed first
    attempted_at: datetime | None


def reward_key(reward: Reward) -> str:
    """Unique across the ledger: a reward's id is unique only for its owner (every referrer's
    first milestone is `tier-5`)."""
    return f"passaparola-{reward.owner.kind}-{reward.owner.id}-{reward.reward_id}"


def referrer_grant(
    reward: Reward,
    referrer: Referrer,
    rules: CampaignRules,
    platform: str,
    code: str | None,
    attempted_at: datetime | None,
) -> Grant:
    spec = reward.spec
    amount = reward.value if reward.kind in MONEY_KINDS else None
    currency = reward.currency if reward.kind in MONEY_KINDS else None
    coupon = None
    if as_coupon(reward.kind, platform):
        if code is None:
            raise ValueError(f"reward {reward.reward_id} is made a coupon before its code is fixed")
        percent = spec.percent if isinstance(spec, CouponPercent) else None
        fixed = spec if isinstance(spec, CouponFixed) else None
        coupon = CouponTerms(
            code=code,
            key=reward_key(reward),
            campaign=rules.slug,
            reward_id=reward.reward_id,
            percent=percent,
            amount=fixed.amount if fixed else amount,
            currency=fixed.currency if fixed else currency,
            min_subtotal=None,
            min_currency=None,
            starts_at=attempted_at or reward.created_at,
            expires_at=None,
            email=referrer.email,
            first_order=False,
        )
    return Grant(
        key=reward_key(reward),
        reward_id=reward.reward_id,
        campaign=rules.slug,
        kind=reward.kind,
        email=referrer.email,
        name=referrer.display_name or referrer.email.split("@", 1)[0],
        lang=referrer.lang,
        amount=amount,
        currency=currency,
        months=getattr(spec, "months", None) if reward.kind == "free_period" else None,
        coupon=coupon,
        attempted_at=attempted_at,
    )


class ShopUnavailable(Exception):
    """The shop did not take the coupon (down, slow, throttled, or refusing the key): the reward
    waits, and the reward queue tries again."""
