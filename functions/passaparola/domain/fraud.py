"""Open fraud rules. Each rule has a stable id, a sentence a person can read, and a check.

A conversion that breaks a rule is still recorded, once, with the rule's id as its reason,
so a business can see exactly why a referral earned nothing. The README lists these rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from passaparola.domain.campaign import CampaignRules
from passaparola.domain.money import Money
from passaparola.domain.rewards import within_revenue_share


@dataclass(frozen=True)
class ConversionFacts:
    now: datetime
    order: Money
    campaign: CampaignRules
    code_active: bool
    buyer: str
    buyer_disposable: bool
    referrer: str
    via: Literal["code", "claim"]
    claimed_at: datetime | None
    first_conversion_at: datetime | None


@dataclass(frozen=True)
class Rule:
    id: str
    explanation: str
    # None: decided outside these checks, by attribution or by a condition in the table.
    broken: Callable[[ConversionFacts], bool] | None = None


def _repeat(f: ConversionFacts) -> bool:
    return f.first_conversion_at is not None and not within_revenue_share(
        f.campaign, f.first_conversion_at, f.now
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "unattributed",
        "the order carries no referral code and the buyer never claimed a referral",
    ),
    Rule(
        "campaign_inactive",
        "the campaign is paused, not started or over",
        lambda f: f.campaign.state_at(f.now) != "active",
    ),
    Rule("code_inactive", "the referral code has been deactivated", lambda f: not f.code_active),
    Rule(
        "self_referral",
        "the buyer is the referrer (same mailbox, ignoring case, dots and +tags where the provider does)",
        lambda f: f.buyer == f.referrer,
    ),
    Rule(
        "disposable_email",
        "the buyer used a disposable (throwaway) email domain",
        lambda f: f.buyer_disposable,
    ),
    Rule(
        "currency_mismatch",
        "the order is in another currency than the campaign's amounts (its minimum purchase, "
        "a reward's ceiling)",
        lambda f: f.campaign.currency is not None and f.order.currency != f.campaign.currency,
    ),
    Rule(
        "below_minimum",
        "the order is below the campaign's minimum purchase",
        lambda f: f.campaign.min_purchase is not None and f.order.amount < f.campaign.min_purchase.amount,
    ),
    Rule(
        "attribution_expired",
        "the buyer claimed the referral longer ago than the campaign's attribution window",
        # Only a first order: later orders are the friend's own, attributed by that first one.
        lambda f: (
            f.via == "claim"
            and f.first_conversion_at is None
            and f.claimed_at is not None
            and f.now > f.claimed_at + timedelta(days=f.campaign.attribution_days)
        ),
    ),
    Rule(
        "repeat_customer",
        "only the referred friend's first order earns a reward in this campaign",
        _repeat,
    ),
    Rule("cap_reached", "the referrer has reached the campaign's maximum number of rewarded referrals"),
    Rule("refunded", "the order was refunded before its conversion arrived"),
)
BY_ID = {rule.id: rule for rule in RULES}


def first_broken(facts: ConversionFacts) -> Rule | None:
    return next((rule for rule in RULES if rule.broken is not None and rule.broken(facts)), None)
