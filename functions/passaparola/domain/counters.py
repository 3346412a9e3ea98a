"""What each change in the table adds to the counters the reports read.

The counters are rolled up from the table's stream: each change is a record's old and new
image (None where the record did not exist), and this module says which counters it moves
and by how much. Two kinds of counter exist (PLAN.md, "Counters"):

- on a referral code: `claims`, `orders` (attributed first orders), `revenue_<CUR>` and
  `rank` (orders * 1e9 + claims, the sort key of the top referrers). Not its clicks: in the
  long tail that would be a write per click; they are counted when read (domain.clicks);
- on a campaign day: `referrers`, `clicks`, `claims`, `orders`, `qualified`, `revenue_<CUR>`,
  `rejected_<reason>`, `review_<reason>`, `rw_<status>_n` and `rw_<status>_<CUR>`,
  `ttc_<hours>`, `v_<variant>_clicks|claims|orders`, and the day's visitors as a HyperLogLog
  sketch (domain.sketch).

Which day: the day the counted thing happened (the click, the claim, the order), and for a
reward the day it was created, whatever its status is now.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from passaparola.domain.records import Claim, FirstOrder, Order, Referrer, Reward, Visit

# A referrer's rank puts orders first and claims second: no code has a billion claims.
RANK_PER_ORDER = 10**9
# Time from claim to first order, in hours: log2 buckets, each named by its lower bound (the
# reports read them with the same bounds).
TTC_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)

Counted = Referrer | Visit | Claim | FirstOrder | Order | Reward
Amount = int | Decimal


@dataclass(frozen=True)
class Change:
    """One record as it was before a write and as it is after (None: absent)."""

    old: Counted | None
    new: Counted | None


@dataclass(frozen=True)
class StreamChange:
    """A change as the table's stream delivers it, in its place in the stream."""

    sequence: int  # increasing within a shard of the stream
    change: Change


@dataclass(frozen=True)
class CodeCounters:
    """The all-time counters on a referral code's own item."""

    code: str


@dataclass(frozen=True)
class DayCounters:
    campaign: str
    day: date


Target = CodeCounters | DayCounters


@dataclass
class Deltas:
    """What a run of changes adds: amounts by counter, by target; and the visitors to add to
    each campaign day's sketch."""

    adds: dict[Target, dict[str, Amount]] = field(default_factory=dict)
    visitors: dict[DayCounters, set[str]] = field(default_factory=dict)

    def add(self, target: Target, name: str, amount: Amount) -> None:
        counters = self.adds.setdefault(target, {})
        total = counters.get(name, 0) + amount
        if total:
            counters[name] = total
        else:
            counters.pop(name, None)
            if not counters:
                del self.adds[target]

    def visit(self, day: DayCounters, visitor: str) -> None:
        self.visitors.setdefault(day, set()).add(visitor)

    @property
    def targets(self) -> set[Target]:
        return set(self.adds) | set(self.visitors)

    def __bool__(self) -> bool:
        return bool(self.adds or self.visitors)


def deltas(changes: Iterable[Change], counted_codes: Container[str]) -> Deltas:
    """What `changes` add. A click counts only on a code in `counted_codes` (one that exists
    and is active): the click path writes a visit without reading the code."""
    result = Deltas()
    for change in changes:
        count(change, counted_codes, result)
    return result


def count(change: Change, counted_codes: Container[str], into: Deltas) -> None:
    old, new = change.old, change.new
    if isinstance(new, Visit) and old is None:
        if new.code in counted_codes:
            _visit(new, into)
    elif isinstance(new, Claim) and old is None:
        _claim(new, into)
    elif isinstance(new, FirstOrder) and old is None:
        _first_order(new, into)
    elif isinstance(new, Referrer) and old is None:
        into.add(DayCounters(new.campaign, _day(new.created_at)), "referrers", 1)
    elif isinstance(new, Order) or isinstance(old, Order):
        _order(old if isinstance(old, Order) else None, new if isinstance(new, Order) else None, into)
    elif isinstance(new, Reward) or isinstance(old, Reward):
        _reward(old if isinstance(old, Reward) else None, new if isinstance(new, Reward) else None, into)


def ttc_bucket(hours: float) -> int:
    """The bucket of a time from claim to first order: the largest bound not above it."""
    return max(bound for bound in TTC_BUCKETS if bound <= max(hours, 0))


def _visit(visit: Visit, into: Deltas) -> None:
    day = DayCounters(visit.campaign, visit.day)
    into.add(day, "clicks", 1)
    if visit.variant:
        into.add(day, f"v_{visit.variant}_clicks", 1)
    into.visit(day, visit.visitor)


def _claim(claim: Claim, into: Deltas) -> None:
    day = DayCounters(claim.campaign, _day(claim.claimed_at))
    into.add(CodeCounters(claim.code), "claims", 1)
    into.add(CodeCounters(claim.code), "rank", 1)
    into.add(day, "claims", 1)
    if claim.variant:
        into.add(day, f"v_{claim.variant}_claims", 1)


def _first_order(first: FirstOrder, into: Deltas) -> None:
    day = DayCounters(first.campaign, _day(first.at))
    into.add(CodeCounters(first.code), "orders", 1)
    into.add(CodeCounters(first.code), "rank", RANK_PER_ORDER)
    into.add(day, "orders", 1)
    if first.variant:
        into.add(day, f"v_{first.variant}_orders", 1)
    if first.claimed_at is not None:
        hours = (first.at - first.claimed_at).total_seconds() / 3600
        into.add(day, f"ttc_{ttc_bucket(hours)}", 1)


def _order(old: Order | None, new: Order | None, into: Deltas) -> None:
    """Revenue counts the referred orders that stand (queued: paid for, or approved after a
    review); `rejected_<reason>` the ones that stand rejected (a review rejected counts under
    the review's reason); `review_<reason>` every order ever held for a review."""
    for order, sign in ((old, -1), (new, 1)):
        if order is None or order.campaign is None or order.created_at is None:
            continue  # not attributed to a campaign (kept only to recognise a redelivery)
        day = DayCounters(order.campaign, _day(order.created_at))
        if order.status == "queued" and order.amount is not None and order.currency:
            into.add(day, f"revenue_{order.currency}", sign * order.amount)
            if order.code is not None:
                into.add(CodeCounters(order.code), f"revenue_{order.currency}", sign * order.amount)
        elif order.status == "rejected" and order.reason:
            into.add(day, f"rejected_{order.reason}", sign)
    if old is None and new is not None and new.campaign and new.created_at and new.status == "review":
        into.add(DayCounters(new.campaign, _day(new.created_at)), f"review_{new.reason}", 1)


def _reward(old: Reward | None, new: Reward | None, into: Deltas) -> None:
    """Rewards by current status, on the day each was created: a change of status moves one
    reward (and its value) from the old status's counters to the new one's. A referral that
    takes a slot of the referrer's cap is `qualified` until its reward is voided."""
    if old is not None and new is not None and old.status == new.status:
        return
    for reward, sign in ((old, -1), (new, 1)):
        if reward is None:
            continue
        day = DayCounters(reward.campaign, _day(reward.created_at))
        into.add(day, f"rw_{reward.status}_n", sign)
        if reward.value is not None and reward.currency:
            into.add(day, f"rw_{reward.status}_{reward.currency}", sign * reward.value)
        if reward.takes_slot and reward.status != "void":
            into.add(day, "qualified", sign)


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
