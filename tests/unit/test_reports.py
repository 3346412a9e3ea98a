"""A report's arithmetic over day counters: sums, daily rows, variants, time to convert."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from passaparola.domain import reports, sketch
from passaparola.domain.errors import InvalidInput
from passaparola.domain.records import (
    CampaignDay,
    Claim,
    FirstOrder,
    Order,
    Owner,
    Referral,
    Reward,
    RewardTally,
    Tally,
)

pytestmark = pytest.mark.unit

DAY = date(2026, 3, 10)


def test_hours_fall_in_log2_buckets():
    assert [reports.bucket_of(h) for h in (0, 0.5, 1, 1.9, 2, 3.9, 4, 100, 2047, 2048, 9000)] == [
        0, 0, 1, 1, 2, 2, 4, 64, 1024, 2048, 2048,
    ]  # fmt: skip


def test_a_percentile_is_interpolated_inside_its_bucket():
    # 10 orders between 4 and 8 hours: the median is half way through the bucket.
    assert reports.percentile({4: 10}, 0.5) == 6.0
    # 5 under an hour, 5 between 8 and 16: p90 is 8 of the way to the 9th of 10 -> 8 + 8 * 4/5
    assert reports.percentile({0: 5, 8: 5}, 0.9) == pytest.approx(14.4)
    assert reports.percentile({0: 5, 8: 5}, 0.5) == pytest.approx(1.0)
    assert reports.percentile({2048: 3}, 0.5) == 2048  # the open bucket: its lower bound
    assert reports.percentile({}, 0.5) is None


def test_the_default_range_is_the_last_30_days():
    assert reports.date_range(None, None, DAY) == (DAY - timedelta(days=29), DAY)
    assert reports.date_range(None, DAY, date(2030, 1, 1)) == (DAY - timedelta(days=29), DAY)
    assert reports.date_range(DAY, None, date(2030, 1, 1)) == (DAY, DAY + timedelta(days=29))


@pytest.mark.parametrize(
    ("start", "end"),
    [(DAY, DAY - timedelta(days=1)), (DAY, DAY + timedelta(days=367))],
)
def test_a_range_backwards_or_longer_than_366_days_is_refused(start, end):
    with pytest.raises(InvalidInput):
        reports.date_range(start, end, DAY)


def test_366_days_apart_is_allowed():
    assert reports.date_range(DAY, DAY + timedelta(days=366), DAY)[1] == DAY + timedelta(days=366)


def _visitors(*names):
    found = sketch.empty()
    for name in names:
        found = sketch.add(found, name)
    return found


def test_the_report_sums_the_days_in_range_and_shows_every_day():
    days = [
        CampaignDay(
            DAY,
            clicks=10,
            claims=4,
            orders=2,
            qualified=2,
            revenue={"EUR": Decimal("99.80")},
            rejected={"below_minimum": 1},
            review={"shared_address": 1},
            rewards={"held": RewardTally(2, {"EUR": Decimal(20)})},
            hours_to_order={4: 2},
            variants={"a": Tally(6, 2, 1), "b": Tally(4, 2, 1)},
            visitors=_visitors("x", "y", "z"),
        ),
        CampaignDay(
            DAY + timedelta(days=2),
            clicks=5,
            claims=1,
            orders=1,
            revenue={"EUR": Decimal("10.10"), "CHF": Decimal(5)},
            rejected={"below_minimum": 2, "self_referral": 1},
            rewards={"held": RewardTally(1, {"EUR": Decimal(10)}), "issued": RewardTally(1, {})},
            hours_to_order={0: 1},
            variants={"b": Tally(5, 1, 1)},
            visitors=_visitors("x", "w"),
        ),
        CampaignDay(DAY + timedelta(days=5), clicks=1000),  # outside the range
    ]
    report = reports.build("gift", DAY, DAY + timedelta(days=3), days, [], ["a", "b"])
    assert (report.clicks, report.claims, report.orders, report.qualified) == (15, 5, 3, 2)
    assert report.visitors == 4
    assert report.revenue == {"CHF": Decimal(5), "EUR": Decimal("109.90")}
    assert report.claim_rate == pytest.approx(5 / 15)
    assert report.order_rate == pytest.approx(3 / 15)
    assert [(r.day.day, r.clicks) for r in report.daily] == [(10, 10), (11, 0), (12, 5), (13, 0)]
    assert report.rejections == {"below_minimum": 3, "self_referral": 1}
    assert report.reviews == {"shared_address": 1}
    assert report.rewards == {"held": RewardTally(3, {"EUR": Decimal(30)}), "issued": RewardTally(1, {})}
    assert report.p50_hours == pytest.approx(4 + 4 * (1.5 - 1) / 2)
    a, b = report.variants
    assert (a.id, a.tally, a.comparison.lift, a.comparison.p_value) == ("a", Tally(6, 2, 1), None, None)
    assert (b.id, b.tally) == ("b", Tally(9, 3, 2))
    assert b.comparison.lift == pytest.approx((2 / 9) / (1 / 6) - 1)
    assert b.comparison.enough_data is False


def test_a_variant_only_in_the_counters_still_shows_after_the_campaigns_own():
    days = [CampaignDay(DAY, variants={"old": Tally(3, 0, 0), "a": Tally(1, 0, 0)})]
    report = reports.build("gift", DAY, DAY, days, [], ["a", "b"])
    assert [v.id for v in report.variants] == ["a", "b", "old"]


def _referral(order_status=None, reward_status=None, refunded=False):
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    claim = Claim("f", "gift", "cl_1", "GIFT-1", "f@x.test", "en", at)
    if order_status is None:
        return Referral(claim, None)
    first = FirstOrder("f", "gift", "1001", at + timedelta(hours=30), "GIFT-1")
    order = Order("1001", order_status, refunded_at=at if refunded else None)
    reward = None
    if reward_status:
        from passaparola.domain.campaign import Credit

        spec = Credit(type="credit", amount=Decimal(10), currency="EUR")
        reward = Reward(
            Owner.referrer("GIFT-1"), "order-1001", "referrer", spec, Decimal(10), "EUR", 0, "gift",
            "GIFT-1", reward_status, at,
        )  # fmt: skip
    return Referral(claim, None, first, order, reward)


@pytest.mark.parametrize(
    ("referral", "status"),
    [
        (_referral(), "claimed"),
        (_referral("queued", "pending"), "ordered"),
        (_referral("queued", "held"), "ordered"),
        (_referral("queued", "issued"), "rewarded"),
        (_referral("review", "review"), "review"),
        (_referral("rejected"), "rejected"),  # the cap was reached, or rejected on review
        (_referral("queued", "void"), "rejected"),
        (_referral("queued", "issued", refunded=True), "rejected"),
    ],
)
def test_a_referral_says_what_it_came_to(referral, status):
    assert reports.referral_status(referral) == status


def test_hours_to_order_are_from_the_claim_to_the_first_order():
    assert reports.hours_to_order(_referral("queued", "held")) == 30
    assert reports.hours_to_order(_referral()) is None
