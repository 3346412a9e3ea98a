"""Fraud and eligibility checks. Each has a stable id (a vocabulary.Reason), a sentence a
person can read, and a test.

A conversion that fails a check is still recorded, once, with the check's id as its reason,
so a business can see exactly why a referral earned nothing. Most checks reject; a few put the
order to review, where the business approves or rejects it. A campaign can run each fraud
check in shadow mode (`FraudModes`): what it would have done is recorded, nothing is enforced.
The README lists these checks (as "rules", the word a business reads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeGuard

from passaparola.domain.campaign import CampaignRules
from passaparola.domain.money import Money
from passaparola.domain.rewards import within_revenue_share
from passaparola.domain.vocabulary import FRAUD_CHECKS, FraudCheck, Reason, Via

Effect = Literal["reject", "review"]


@dataclass(frozen=True)
class ConversionFacts:
    now: datetime
    order: Money
    campaign: CampaignRules
    code_active: bool
    buyer: str
    buyer_disposable: bool
    referrer: str
    via: Via
    claimed_at: datetime | None
    first_conversion_at: datetime | None
    # When the buyer's email or the shop's customer id was first seen on a paid order.
    customer_since: datetime | None = None
    # The order's address, or its payment fingerprint, was first seen with the referrer's email.
    shared_address: bool = False
    shared_payment: bool = False
    # The claim behind the order came from the referrer's own client on their enrolment day.
    same_client: bool = False
    # The buyer's address and the referrer's differ by a +tag (emails.same_mailbox).
    same_mailbox: bool = False


@dataclass(frozen=True)
class ClaimFacts:
    campaign: CampaignRules
    friend: str
    friend_disposable: bool
    referrer: str
    # When the friend's email was first seen on a paid order; None when it never was, or when
    # the friend already claimed in this campaign (their own referred orders do not count).
    customer_since: datetime | None
    same_client: bool
    # The friend's address and the referrer's differ by a +tag (emails.same_mailbox).
    same_mailbox: bool = False


@dataclass(frozen=True)
class Check:
    id: Reason
    explanation: str
    # None: decided outside these checks, by attribution or by a condition in the table.
    broken: Callable[[ConversionFacts], bool] | None = None
    effect: Effect = "reject"


@dataclass(frozen=True)
class Verdict:
    """What the checks decide: `check` is the enforced check that failed (None: the claim or
    order passes), and `shadow` the checks failed in shadow mode, recorded and not enforced."""

    check: Check | None
    shadow: tuple[FraudCheck, ...] = ()

    @property
    def rejection(self) -> Reason | None:
        return self.check.id if self.check is not None and self.check.effect == "reject" else None

    @property
    def review(self) -> Reason | None:
        return self.check.id if self.check is not None and self.check.effect == "review" else None


def _repeat(f: ConversionFacts) -> bool:
    return f.first_conversion_at is not None and not within_revenue_share(
        f.campaign, f.first_conversion_at, f.now
    )


def _existing_customer(f: ConversionFacts) -> bool:
    """Known before the referral began: before the claim, or before the first referred order
    when the code came at checkout; for a first order with a code and no claim, known at all."""
    began = f.claimed_at or f.first_conversion_at
    return f.customer_since is not None and (began is None or f.customer_since < began)


CHECKS: tuple[Check, ...] = (
    Check(
        "unattributed",
        "the order carries no referral code or friend's coupon, and the buyer never claimed a referral",
    ),
    Check(
        "campaign_inactive",
        "the campaign is paused, not started or over",
        lambda f: f.campaign.state_at(f.now) != "active",
    ),
    Check("code_inactive", "the referral code has been deactivated", lambda f: not f.code_active),
    Check(
        "self_referral",
        "the buyer is the referrer (same mailbox, ignoring case and +tags, and dots where the provider does)",
        lambda f: f.buyer == f.referrer or f.same_mailbox,
    ),
    Check(
        "disposable_email",
        "the buyer used a disposable (throwaway) email domain",
        lambda f: f.buyer_disposable,
    ),
    Check(
        "existing_customer",
        "the buyer's email or customer id was on a paid order before their referral began",
        _existing_customer,
    ),
    Check(
        "currency_mismatch",
        "the order is in another currency than the campaign's amounts (its minimum purchase, "
        "a reward's ceiling)",
        lambda f: f.campaign.currency is not None and f.order.currency != f.campaign.currency,
    ),
    Check(
        "below_minimum",
        "the order is below the campaign's minimum purchase",
        lambda f: f.campaign.min_purchase is not None and f.order.amount < f.campaign.min_purchase.amount,
    ),
    Check(
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
    Check(
        "repeat_customer",
        "only the referred friend's first order earns a reward in this campaign",
        _repeat,
    ),
    Check(
        "shared_address",
        "the order's address was first seen on an order of the referrer's",
        lambda f: f.shared_address,
        effect="review",
    ),
    Check(
        "shared_payment",
        "the order's payment fingerprint was first seen on an order of the referrer's",
        lambda f: f.shared_payment,
        effect="review",
    ),
    Check(
        "same_client",
        "the friend claimed from the network address the referrer enrolled from, on the same day",
        lambda f: f.same_client,
        effect="review",
    ),
    Check("cap_reached", "the referrer has reached the campaign's maximum number of rewarded referrals"),
    Check("refunded", "the order was refunded before its conversion arrived"),
)
BY_ID = {check.id: check for check in CHECKS}

# What a claim is checked against: the same checks, on what is known before any order.
CLAIM_CHECKS: dict[FraudCheck, Callable[[ClaimFacts], bool]] = {
    "self_referral": lambda f: f.friend == f.referrer or f.same_mailbox,
    "disposable_email": lambda f: f.friend_disposable,
    "existing_customer": lambda f: f.customer_since is not None,
    "same_client": lambda f: f.same_client,
}


def _is_fraud_check(reason: Reason) -> TypeGuard[FraudCheck]:
    return reason in FRAUD_CHECKS


def _decide(failed: Iterable[Check], campaign: CampaignRules) -> Verdict:
    """The first enforced check that rejects, else the first enforced check that asks for review."""
    enforced: list[Check] = []
    shadow: list[FraudCheck] = []
    for check in failed:
        mode = campaign.fraud.mode(check.id)
        if mode == "enforce":
            enforced.append(check)
        elif mode == "shadow" and _is_fraud_check(check.id):  # only fraud checks have a mode
            shadow.append(check.id)
    rejecting = (check for check in enforced if check.effect == "reject")
    return Verdict(next(rejecting, None) or next(iter(enforced), None), tuple(shadow))


def assess(facts: ConversionFacts) -> Verdict:
    return _decide((c for c in CHECKS if c.broken is not None and c.broken(facts)), facts.campaign)


def assess_claim(facts: ClaimFacts) -> Verdict:
    """A claim is refused by an enforced check that rejects. One that asks for review
    (same_client) lets the claim through and is judged again on the order it brings."""
    return _decide((BY_ID[id_] for id_, test in CLAIM_CHECKS.items() if test(facts)), facts.campaign)
