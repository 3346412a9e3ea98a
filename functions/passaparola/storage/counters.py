"""Reading the counters the stream consumer keeps: a campaign's day items, and its codes by rank.

A report reads the day items of its range (one query on `STATS#<campaign>`) and the top codes
(one query on the `top` index): however many clicks and orders the counters hold, a report
reads the same items. The top codes' own clicks are counted on read (storage.clicks), beside
this. The day item's attribute names are PLAN.md's "Counters" section.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from passaparola.domain import sketch
from passaparola.domain.records import CampaignDay, Ranked, RewardTally, Tally
from passaparola.domain.vocabulary import REWARD_STATUSES
from passaparola.storage import keys
from passaparola.storage.dynamo import Item, Table

# Longest first, so `rw_clawed_back_n` is never read as a status `clawed`.
_STATUSES = sorted(REWARD_STATUSES, key=len, reverse=True)
_VARIANT_COUNTS = ("clicks", "claims", "orders")


def campaign_day(item: Item) -> CampaignDay:
    revenue: dict[str, Decimal] = {}
    rejected: dict[str, int] = {}
    review: dict[str, int] = {}
    rewards: dict[str, dict[str, Decimal]] = {}
    hours: dict[int, int] = {}
    variants: dict[str, dict[str, int]] = {}
    for name, value in item.items():
        prefix, _, rest = name.partition("_")
        if prefix == "revenue" and rest:
            revenue[rest] = Decimal(value)
        elif prefix == "rejected" and rest:
            rejected[rest] = int(value)
        elif prefix == "review" and rest:
            review[rest] = int(value)
        elif prefix == "ttc" and rest.isdigit():
            hours[int(rest)] = int(value)
        elif prefix == "v":
            variant, _, what = rest.rpartition("_")
            if variant and what in _VARIANT_COUNTS:
                variants.setdefault(variant, {})[what] = int(value)
        elif prefix == "rw":
            status = next((s for s in _STATUSES if rest.startswith(f"{s}_")), None)
            if status is not None:
                rewards.setdefault(status, {})[rest.removeprefix(f"{status}_")] = Decimal(value)
    stored = item.get("visitors_hll")
    return CampaignDay(
        day=date.fromisoformat(item["sk"].removeprefix("DAY#")),
        referrers=int(item.get("referrers", 0)),
        clicks=int(item.get("clicks", 0)),
        claims=int(item.get("claims", 0)),
        orders=int(item.get("orders", 0)),
        qualified=int(item.get("qualified", 0)),
        revenue=revenue,
        rejected=rejected,
        review=review,
        rewards={
            status: RewardTally(
                count=int(found.pop("n", 0)), value={cur: amount for cur, amount in found.items() if amount}
            )
            for status, found in rewards.items()
        },
        hours_to_order=hours,
        variants={vid: Tally(**counts) for vid, counts in variants.items()},
        visitors=sketch.from_bytes(bytes(stored)) if stored is not None else None,
    )


def _top(item: Item) -> Ranked:
    return Ranked(
        code=item["code"],
        display_name=item.get("display_name"),
        claims=int(item.get("claims", 0)),
        orders=int(item.get("orders", 0)),
    )


class CounterStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def days(self, campaign: str, first: date, last: date) -> list[CampaignDay]:
        found = self.table.query_range(
            keys.stats_pk(campaign),
            keys.stats_day(campaign, first.isoformat())["sk"],
            keys.stats_day(campaign, last.isoformat())["sk"],
        )
        return [campaign_day(item) for item in found]

    def top_referrers(self, campaign: str, limit: int) -> list[Ranked]:
        items, _ = self.table.query_page(
            keys.TOP_INDEX, "top_pk = :campaign", {":campaign": campaign}, limit=limit, forward=False
        )
        return [_top(item) for item in items]
