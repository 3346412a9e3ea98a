"""A campaign's report, put together from its day counters and its top referrers.

Everything here is arithmetic over what the counters hold; nothing reads a click or an order.
Rates are per click. Times from claim to first order are kept as a histogram of log2 hour
buckets; a percentile is interpolated linearly inside the bucket it falls in, and one that
falls in the open last bucket (2048 hours or more) is given as 2048.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from passaparola.domain import experiments, sketch
from passaparola.domain.errors import InvalidInput
from passaparola.domain.records import CampaignDay, Referral, RewardTally, Tally, TopReferrer
from passaparola.domain.vocabulary import ReferralStatus

DEFAULT_DAYS = 30
MAX_SPAN = timedelta(days=366)
# Lower bounds of the hour buckets: [0, 1), [1, 2), [2, 4), ... [1024, 2048), [2048, ...).
HOUR_BUCKETS = (0, *(2**k for k in range(12)))


def bucket_of(hours: float) -> int:
    """The bucket an order that came `hours` after its claim is counted in."""
    return max(b for b in HOUR_BUCKETS if hours >= b) if hours >= 0 else 0


def referral_status(referral: Referral) -> ReferralStatus:
    """What a friend's claim came to: no order yet, an order (its reward on its way), a reward
    given, an order held for review, or one that earned nothing in the end (refunded,
    rejected on review, the referrer's cap reached, the reward voided or clawed back)."""
    order, reward = referral.order, referral.reward
    if referral.first_order is None:
        return "claimed"
    if order is not None and (order.status == "rejected" or order.refunded_at is not None):
        return "rejected"
    if (order is not None and order.status == "review") or (reward is not None and reward.status == "review"):
        return "review"
    if reward is not None and reward.status in ("void", "clawed_back"):
        return "rejected"
    if reward is not None and reward.status == "issued":
        return "rewarded"
    return "ordered"


def hours_to_order(referral: Referral) -> float | None:
    if referral.first_order is None:
        return None
    return round((referral.first_order.at - referral.claim.claimed_at).total_seconds() / 3600, 2)


def date_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The report's days: the last DEFAULT_DAYS by default, at most MAX_SPAN apart."""
    end = end or (start + timedelta(days=DEFAULT_DAYS - 1) if start else today)
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidInput("to is before from")
    if end - start > MAX_SPAN:
        raise InvalidInput(f"a report spans at most {MAX_SPAN.days} days from 'from' to 'to'")
    return start, end


@dataclass(frozen=True)
class VariantResult:
    id: str
    tally: Tally
    comparison: experiments.Comparison


@dataclass(frozen=True)
class DayRow:
    day: date
    clicks: int
    claims: int
    orders: int


@dataclass(frozen=True)
class Report:
    campaign: str
    start: date
    end: date
    clicks: int
    visitors: int  # an estimate (HyperLogLog, about 1.6% standard error)
    claims: int
    orders: int
    qualified: int
    revenue: Mapping[str, Decimal]
    claim_rate: float | None
    order_rate: float | None
    variants: tuple[VariantResult, ...]
    daily: tuple[DayRow, ...]
    p50_hours: float | None
    p90_hours: float | None
    rejections: Mapping[str, int]
    reviews: Mapping[str, int]
    rewards: Mapping[str, RewardTally]
    top_referrers: tuple[TopReferrer, ...]


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) of the hours in a bucket histogram; None when it is empty."""
    total = sum(histogram.values())
    if not total:
        return None
    target, below = q * total, 0
    for index, lower in enumerate(HOUR_BUCKETS):
        count = histogram.get(lower, 0)
        if count and below + count >= target:
            if index + 1 == len(HOUR_BUCKETS):
                return float(lower)
            upper = HOUR_BUCKETS[index + 1]
            return float(lower + (upper - lower) * (target - below) / count)
        below += count
    return float(HOUR_BUCKETS[-1])  # pragma: no cover - the loop always reaches the target


def _sum_maps(maps: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for one in maps:
        total.update(one)
    return dict(sorted(total.items()))


def _sum_money(maps: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for one in maps:
        for currency, amount in one.items():
            total[currency] = total.get(currency, Decimal(0)) + amount
    return dict(sorted(total.items()))


def build(
    campaign: str,
    start: date,
    end: date,
    days: Sequence[CampaignDay],
    top: Sequence[TopReferrer],
    variant_ids: Sequence[str],
) -> Report:
    """`variant_ids` in the campaign's order: the first is the baseline. Variants found only
    in the counters (since removed from the campaign) follow, by id."""
    by_day = {d.day: d for d in days if start <= d.day <= end}
    kept = list(by_day.values())
    clicks = sum(d.clicks for d in kept)
    claims = sum(d.claims for d in kept)
    orders = sum(d.orders for d in kept)
    visitors = sketch.empty()
    for d in kept:
        if d.visitors is not None:
            visitors = sketch.merge(visitors, d.visitors)
    hours: Counter[int] = Counter()
    for d in kept:
        hours.update(d.hours_to_order)
    statuses = sorted({status for d in kept for status in d.rewards})
    rewards = {
        status: RewardTally(
            count=sum(d.rewards[status].count for d in kept if status in d.rewards),
            value=_sum_money(d.rewards[status].value for d in kept if status in d.rewards),
        )
        for status in statuses
    }
    return Report(
        campaign=campaign,
        start=start,
        end=end,
        clicks=clicks,
        visitors=round(sketch.estimate(visitors)),
        claims=claims,
        orders=orders,
        qualified=sum(d.qualified for d in kept),
        revenue=_sum_money(d.revenue for d in kept),
        claim_rate=experiments.rate(claims, clicks),
        order_rate=experiments.rate(orders, clicks),
        variants=_variants(kept, variant_ids),
        daily=tuple(_row(by_day.get(day), day) for day in _days(start, end)),
        p50_hours=percentile(hours, 0.5),
        p90_hours=percentile(hours, 0.9),
        rejections=_sum_maps(d.rejected for d in kept),
        reviews=_sum_maps(d.review for d in kept),
        rewards=rewards,
        top_referrers=tuple(top),
    )


def _days(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def _row(found: CampaignDay | None, day: date) -> DayRow:
    if found is None:
        return DayRow(day, 0, 0, 0)
    return DayRow(day, found.clicks, found.claims, found.orders)


def _variants(days: Sequence[CampaignDay], variant_ids: Sequence[str]) -> tuple[VariantResult, ...]:
    counted = {vid for d in days for vid in d.variants}
    ids = [*variant_ids, *sorted(counted - set(variant_ids))]
    tallies = {
        vid: Tally(
            clicks=sum(d.variants[vid].clicks for d in days if vid in d.variants),
            claims=sum(d.variants[vid].claims for d in days if vid in d.variants),
            orders=sum(d.variants[vid].orders for d in days if vid in d.variants),
        )
        for vid in ids
    }
    if not ids:
        return ()
    baseline = experiments.Arm(tallies[ids[0]].clicks, tallies[ids[0]].orders)
    # The baseline has no lift or p-value of its own: it is what the others are measured against.
    first = experiments.Comparison(baseline.order_rate, None, None, baseline.sampled)
    return tuple(
        VariantResult(
            vid,
            tally,
            experiments.compare(experiments.Arm(tally.clicks, tally.orders), baseline)
            if vid != ids[0]
            else first,
        )
        for vid, tally in tallies.items()
    )
