"""When the lifecycle's emails go: pure arithmetic on a campaign's rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from passaparola.domain.campaign import CampaignRules
from passaparola.domain.records import Notice, NoticeMessage

# A friend's unused coupon is recalled this long before the referral's window closes (or half
# way through a window shorter than twice this).
REMIND_BEFORE = timedelta(days=3)


def due(notices: Sequence[Notice], now: datetime) -> list[NoticeMessage]:
    """The messages that send at once those of `notices` whose time has come."""
    return [NoticeMessage(notice.notice_id) for notice in notices if notice.send_at <= now]


def coupon_expires(claimed_at: datetime, rules: CampaignRules) -> datetime:
    """An order counts for the referral until the attribution window after the claim closes;
    the friend's coupon is given for that order, and is told to end with it."""
    return claimed_at + timedelta(days=rules.attribution_days)


def coupon_last_day(claimed_at: datetime, rules: CampaignRules) -> date:
    """The last whole day (UTC) an order with the coupon still counts, as the emails say it."""
    return (coupon_expires(claimed_at, rules) - timedelta(days=1)).date()


def reminder_at(claimed_at: datetime, rules: CampaignRules) -> datetime:
    window = timedelta(days=rules.attribution_days)
    return claimed_at + window - min(REMIND_BEFORE, window / 2)


def nudge_at(enrolled_at: datetime, rules: CampaignRules) -> datetime:
    return enrolled_at + timedelta(days=rules.nudge_after_days)
