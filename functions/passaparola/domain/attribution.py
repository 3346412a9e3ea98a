"""Which referral code an order belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from passaparola.domain import codes
from passaparola.domain.records import Claim


@dataclass(frozen=True)
class Candidate:
    code: str
    via: Literal["code", "claim"]
    claimed_at: datetime | None
    same_client: bool = False  # claimed from the referrer's own client on their enrolment day
    variant: str | None = None  # the landing page's A/B variant the friend claimed on


def candidates(explicit_code: str | None, claims: Iterable[Claim]) -> list[Candidate]:
    """Codes to try, best first: the code the order carries, then the buyer's earliest claim.

    The explicit code wins because the buyer typed or followed it at checkout, the most
    recent and most deliberate signal. An unknown explicit code falls through to the claims,
    so a typo at checkout does not cost a genuine referrer their reward.
    """
    by_time = sorted(claims, key=lambda c: c.claimed_at)
    claimed = {c.code: c for c in by_time}
    found: list[Candidate] = []
    code = codes.normalise(explicit_code) if explicit_code else None
    if code:
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
        Candidate(c.code, "claim", c.claimed_at, _same_client(c), c.variant)
        for c in by_time
        if c.code != code
    )
    return found


def _same_client(claim: Claim | None) -> bool:
    return claim is not None and "same_client" in claim.signals
