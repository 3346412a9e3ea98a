"""The business's reads and chores: reports, referrals, the fulfilment list, the review queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from passaparola.domain import reports
from passaparola.domain.admin import Admin, reward_ref
from passaparola.domain.campaign import Rules
from passaparola.domain.cursors import Cursors
from passaparola.domain.errors import NotFound, NotFulfillable, UnknownCampaign
from passaparola.domain.records import Fulfilment, Page, Referral, Review, Reward, TopReferrer
from passaparola.domain.vocabulary import COUPON_KINDS
from passaparola.services import Clock
from passaparola.services.click_counts import ClickCounter
from passaparola.services.ports import CounterStore, FulfilmentLedger, ReferralStore, WaitingStore

TOP_REFERRERS = 10
MAX_PAGE = 50


T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


def _listed(page: Page[T], cursors: Cursors) -> Listed[T]:
    return Listed(page.items, cursors.seal(page.next_position) if page.next_position else None)


def _campaign_filter(rules: Rules, campaign: str | None) -> str | None:
    if campaign is not None and rules.campaign(campaign) is None:
        raise UnknownCampaign(f"no campaign {campaign!r}")
    return campaign


@dataclass(frozen=True)
class Reports:
    rules: Rules
    counters: CounterStore
    clicks: ClickCounter
    clock: Clock

    def report(self, slug: str, start: date | None, end: date | None) -> reports.Report:
        campaign = self.rules.campaign(slug)
        if campaign is None:
            raise NotFound(f"no campaign {slug!r}")
        first, last = reports.date_range(start, end, self.clock().date())
        days = self.counters.days(slug, first, last)
        ranked = self.counters.top_referrers(slug, TOP_REFERRERS)
        # The index ranks codes by orders and claims; their clicks are counted on read.
        clicks = self.clicks.of_codes([r.code for r in ranked])
        top = [TopReferrer(r.code, r.display_name, clicks[r.code], r.claims, r.orders) for r in ranked]
        return reports.build(slug, first, last, days, top, campaign.variants)


@dataclass(frozen=True)
class Referrals:
    rules: Rules
    store: ReferralStore
    cursors: Cursors
    clock: Clock

    def page(
        self, campaign: str, start: date | None, end: date | None, cursor: str | None, limit: int
    ) -> Listed[Referral]:
        _campaign_filter(self.rules, campaign)
        first, last = reports.date_range(start, end, self.clock().date())
        since = datetime.combine(first, time.min, UTC)
        until = datetime.combine(last + timedelta(days=1), time.min, UTC) - timedelta(microseconds=1)
        after = self.cursors.open(cursor) if cursor else None
        return _listed(self.store.page(campaign, since, until, min(limit, MAX_PAGE), after), self.cursors)


@dataclass(frozen=True)
class Fulfilments:
    rules: Rules
    waiting: WaitingStore
    ledger: FulfilmentLedger
    cursors: Cursors
    clock: Clock

    def to_fulfil(self, campaign: str | None, cursor: str | None, limit: int) -> Listed[Reward]:
        after = self.cursors.open(cursor) if cursor else None
        page = self.waiting.rewards_to_fulfil(
            _campaign_filter(self.rules, campaign), min(limit, MAX_PAGE), after
        )
        return _listed(page, self.cursors)

    def fulfil(self, public_id: str, reference: str, by: Admin) -> Reward:
        """Mark an issued reward given, once: a repeat answers the first fulfilment."""
        reward = self.ledger.fulfil(
            reward_ref(public_id), Fulfilment(reference, self.clock(), by.recorded_as)
        )
        if reward is None:
            raise NotFound("no such reward")
        if reward.fulfilment is None:
            if reward.kind in COUPON_KINDS:
                raise NotFulfillable(f"a {reward.kind} reward is issued by the kit itself; nothing to fulfil")
            raise NotFulfillable(f"the reward is {reward.status}; only an issued reward can be fulfilled")
        return reward


@dataclass(frozen=True)
class ReviewQueue:
    rules: Rules
    waiting: WaitingStore
    cursors: Cursors

    def waiting_reviews(self, campaign: str | None, cursor: str | None, limit: int) -> Listed[Review]:
        after = self.cursors.open(cursor) if cursor else None
        page = self.waiting.reviews(_campaign_filter(self.rules, campaign), min(limit, MAX_PAGE), after)
        return _listed(page, self.cursors)
