"""Which referral code an order belongs to.

An order can carry several codes (a referral code passed through checkout, the coupons typed
there, the shop's own discount codes) and its buyer may have claimed referrals before. The
referrals to try, best first:

1. the referral codes the order carries, in the order the shop lists them: a referral code
   names its referrer directly, and someone typed or followed it for this very order;
2. the friends' coupons the order carries, in that order: a coupon stands for the claim it
   was issued to, and so for that claim's referral code; it names the referrer one step
   removed, through a friend who may have passed it on;
3. the buyer's own claims, earliest first: the oldest referral is the one that brought them.

A code that cannot be one of ours (the shop's own SUMMER10) is no candidate and costs no read.
One that could be ours but is unknown falls through to the next, so a typo at checkout does not
cost a genuine referrer their reward.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from passaparola.domain import codes
from passaparola.domain.records import Claim
from passaparola.domain.vocabulary import Via


@dataclass(frozen=True)
class Reported:
    """The codes an order carries that could be ours, normalised, each once, in its order."""

    referral_codes: tuple[str, ...] = ()
    coupons: tuple[str, ...] = ()


def reported(carried: Iterable[str]) -> Reported:
    referral_codes: dict[str, None] = {}
    coupons: dict[str, None] = {}
    for raw in carried:
        if code := codes.normalise(raw):
            referral_codes.setdefault(code)
        elif coupon := codes.normalise_coupon(raw):
            coupons.setdefault(coupon)
    return Reported(tuple(referral_codes), tuple(coupons))


@dataclass(frozen=True)
class Candidate:
    code: str
    via: Via
    claimed_at: datetime | None
    same_client: bool = False  # claimed from the referrer's own client on their enrolment day
    variant: str | None = None  # the landing page's A/B variant the friend claimed on
    # Whose referral it is, when not the buyer's: the friend the coupon was issued to. Their
    # first order in the campaign is the one that counts, whatever address they buy with.
    friend: str | None = None


def candidates(
    referral_codes: Sequence[str], coupon_claims: Sequence[Claim], claims: Iterable[Claim]
) -> list[Candidate]:
    """Referrals to try, best first (see the module's docstring). `coupon_claims` are the claims
    the order's coupons were issued to, in the order's order; `claims` are the buyer's own."""
    by_time = sorted(claims, key=lambda c: c.claimed_at)
    claimed = {c.code: c for c in by_time}
    found: list[Candidate] = []
    for code in referral_codes:
        claim = claimed.get(code)
        found.append(
            Candidate(
                code,
                "code",
                claim.claimed_at if claim else None,
                _same_client(claim),
                claim.variant if claim else None,
            )
        )
    found.extend(
        Candidate(c.code, "coupon", c.claimed_at, _same_client(c), c.variant, friend=c.friend)
        for c in coupon_claims
    )
    tried = {candidate.code for candidate in found}
    found.extend(
        Candidate(c.code, "claim", c.claimed_at, _same_client(c), c.variant)
        for c in by_time
        if c.code not in tried
    )
    return found


def _same_client(claim: Claim | None) -> bool:
    return claim is not None and "same_client" in claim.signals
