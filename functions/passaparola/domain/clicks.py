"""A referral code's clicks, counted when read.

A counted click is one visit item and nothing else: keeping an all-time counter on the code
current would cost a write per code per rollup batch, which in the long tail (a click alone on
its code in its batch) is a write per click. So a code's clicks are what its own item has
already added up (`FoldedClicks`) plus its visits of the days after that. Reading is what
keeps the first part growing: a reader that finds many visits on days long closed folds them
into the code's item, so a viral code's next read stays short.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from passaparola.domain.records import FoldedClicks

# Fold once this many visits wait on closed days: fewer cost little to read again.
FOLD_AT = 1000
# A day's visits are folded two days after it closes (UTC): a click written just after
# midnight, or by a clock a little off, still lands on the day it belongs to.
SETTLED_AFTER = timedelta(days=3)
# However few they are, settled visits are folded by the first read once the oldest of them is
# this old (one write a month at most, for a code read that often)...
FOLD_BY_AGE = timedelta(days=30)
# ...and a visit expires (the table's TTL, `expires_at`) this long after its click: a year and
# more after any read could have folded it. A code's clicks lose nothing so long as it is read
# (a stats page, the report's top referrers) once within VISIT_TTL - FOLD_BY_AGE; the
# campaign's counters, rolled up from the stream as each visit is written, never lose one.
VISIT_TTL = timedelta(days=400)
# The relationship every count rests on: folding comes well before expiring.
if not SETTLED_AFTER + FOLD_BY_AGE <= VISIT_TTL / 10:
    raise AssertionError("visits must be folded well before their TTL deletes them")


def total(folded: FoldedClicks, later: Mapping[date, int]) -> int:
    """All the code's clicks: the folded ones and the visits of later days (`later`, by day)."""
    return folded.clicks + sum(
        n for day, n in later.items() if folded.through is None or day > folded.through
    )


def fold(folded: FoldedClicks, later: Mapping[date, int], today: date) -> FoldedClicks | None:
    """What the code's item should hold, when enough visits of settled days wait to be folded
    into it, or the oldest of them has waited FOLD_BY_AGE (it will expire: VISIT_TTL); None
    when reading them again is cheaper than a write."""
    through = today - SETTLED_AFTER
    waiting = {
        day: n
        for day, n in later.items()
        if day <= through and (folded.through is None or day > folded.through)
    }
    settled = sum(waiting.values())
    if not waiting or (settled < FOLD_AT and min(waiting) > through - FOLD_BY_AGE):
        return None
    return FoldedClicks(folded.clicks + settled, through)


def expires(clicked_at: datetime) -> datetime:
    """When a visit's item expires: VISIT_TTL after its click."""
    return clicked_at + VISIT_TTL
