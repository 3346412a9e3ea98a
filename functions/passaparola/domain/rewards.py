"""Which rewards a claim or a conversion earns, and what each is worth. Pure arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from passaparola.domain.campaign import (
    MONEY_VALUED,
    CampaignRules,
    CouponFixed,
    RevenueShare,
    RewardSpec,
    Tier,
)
from passaparola.domain.money import Money, percent_of
from passaparola.domain.records import Owner, Reward
from passaparola.domain.vocabulary import Role

_TIER = "tier-"


@dataclass(frozen=True)
class Grant:
    """One reward to put in the ledger: who gets it, what it is, and its value if it has one."""

    role: Role
    spec: RewardSpec
    value: Decimal | None
    currency: str | None
    hold_days: int

    def entry(
        self,
        owner: Owner,
        reward_id: str,
        *,
        campaign: str,
        code: str,
        now: datetime,
        order_id: str | None = None,
        takes_slot: bool = False,
        review: bool = False,
        friend: str | None = None,
    ) -> Reward:
        """The grant as a new ledger entry: pending, or, with `review`, waiting for the
        business's decision (its cap slot taken, nothing queued)."""
        return Reward(
            owner=owner,
            reward_id=reward_id,
            role=self.role,
            spec=self.spec,
            value=self.value,
            currency=self.currency,
            hold_days=self.hold_days,
            campaign=campaign,
            code=code,
            status="review" if review else "pending",
            created_at=now,
            order_id=order_id,
            takes_slot=takes_slot,
            friend=friend,
        )


def value_of(reward: RewardSpec, order: Money | None, digits: int) -> tuple[Decimal | None, str | None]:
    """The money a reward is worth; None for rewards that are not money (a gift, a free month)."""
    if isinstance(reward, MONEY_VALUED) and reward.amount is not None:
        return reward.amount, reward.currency
    if isinstance(reward, (*MONEY_VALUED, RevenueShare)):
        if order is None or reward.percent is None:
            raise ValueError("a percent reward needs the order it is a percent of")
        value = percent_of(order.amount, reward.percent, digits)
        cap = getattr(reward, "max_amount", None)
        return (min(value, cap) if cap is not None else value), order.currency
    if isinstance(reward, CouponFixed):
        return reward.amount, reward.currency
    return None, None


def _grant(role: Role, reward: RewardSpec, order: Money | None, digits: int, hold_days: int) -> Grant:
    value, currency = value_of(reward, order, digits)
    return Grant(role, reward, value, currency, hold_days)


def friend_grant(rules: CampaignRules) -> Grant | None:
    """The friend's welcome reward, given at claim. No hold: a discount is worth nothing until
    an order uses it, and that order is itself under the referrer reward's refund watch."""
    if rules.friend_reward is None:
        return None
    return _grant("friend", rules.friend_reward, None, 2, hold_days=0)


def referrer_grant_on_claim(rules: CampaignRules) -> Grant | None:
    if rules.reward_on != "claim":
        return None
    return _grant("referrer", rules.referrer_reward, None, 2, rules.hold_days)


def referrer_grant_on_purchase(
    rules: CampaignRules, order: Money, digits: int, *, repeat: bool
) -> Grant | None:
    """A first order earns the referrer reward; later orders only earn a revenue share."""
    if rules.reward_on != "purchase":
        return None
    if repeat and not isinstance(rules.referrer_reward, RevenueShare):
        return None
    return _grant("referrer", rules.referrer_reward, order, digits, rules.hold_days)


def second_level_grant(rules: CampaignRules, order: Money | None, digits: int) -> Grant | None:
    if rules.second_level is None:
        return None
    return _grant("second_level", rules.second_level.reward, order, digits, rules.hold_days)


def tiers_reached(rules: CampaignRules, qualified_referrals: int) -> list[Tier]:
    return [tier for tier in rules.tiers if tier.after <= qualified_referrals]


def tier_grant(tier: Tier) -> Grant:
    """No hold: the referrals that reach a milestone have already been through theirs."""
    return _grant("tier", tier.reward, None, 2, hold_days=0)


def tier_reward_id(tier: Tier) -> str:
    """One id per tier, so a milestone's reward is created once however often it is reached."""
    return f"{_TIER}{tier.after}"


def tier_reached(reward: Reward) -> int | None:
    """How many rewarded referrals a milestone reward was granted for (its id says), or None
    for any other reward."""
    after = reward.reward_id.removeprefix(_TIER)
    return int(after) if reward.role == "tier" and after.isdigit() else None


def within_revenue_share(rules: CampaignRules, first_conversion_at: datetime, now: datetime) -> bool:
    reward = rules.referrer_reward
    return isinstance(reward, RevenueShare) and now < first_conversion_at + timedelta(days=30 * reward.months)


def hold_until(created_at: datetime, hold_days: int) -> datetime:
    return created_at + timedelta(days=hold_days)
