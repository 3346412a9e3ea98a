"""Clicks: one conditional PutItem per counted click, and no read; and a code's clicks counted
from its visits when someone reads them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, timedelta

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from passaparola.domain import clicks
from passaparola.domain.records import FoldedClicks, Visit, VisitOutcome
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Item, Table, expiry, moment, stamp

logger = Logger(child=True)

_BATCH_GET = 100


def visit_item(visit: Visit) -> Item:
    """A visit, and when the table's TTL deletes it (domain.clicks: long after a read folds it)."""
    return keys.visit(visit.code, visit.day, visit.visitor) | {
        "campaign": visit.campaign,
        "at": stamp(visit.at),
        "variant": visit.variant,
        "expires_at": expiry(clicks.expires(visit.at)),
    }


def visit_of(item: Item) -> Visit:
    code, day, visitor = keys.visit_parts(item["pk"], item["sk"])
    return Visit(code, item["campaign"], day, visitor, moment(item, "at"), item.get("variant"))


def folded_of(item: Item) -> FoldedClicks:
    through = item.get("clicks_through")
    return FoldedClicks(int(item.get("clicks", 0)), date.fromisoformat(through) if through else None)


class ClickStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, visit: Visit) -> VisitOutcome:
        """A per-visitor-per-day item (1 WCU): its condition dedupes a visitor within the day.
        A code's visits spread over its shards' keys, so a viral code never heats one; the
        campaign's counters are added up from the stream, in batches, and the code's own
        clicks are counted from these items when read (ClickCounts)."""
        try:
            self.table.put(visit_item(visit), condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return "repeat"
        except (ClientError, BotoCoreError):
            # A click that cannot be counted (throttling, an outage) must still reach its page.
            logger.exception("click not counted", extra={"code": visit.code})
            return "lost"
        return "counted"


class ClickCounts:
    """What a code's clicks are read from: its folded count, on its own item, and its visits of
    later days, one keys-only query of each of its shards (a visit is about 120 bytes: a read
    unit covers some thirty of them)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def folded(self, codes: Collection[str]) -> dict[str, FoldedClicks]:
        """The folded clicks of each code that exists, in BatchGetItem calls of 100."""
        wanted = sorted(codes)
        found: dict[str, FoldedClicks] = {}
        for start in range(0, len(wanted), _BATCH_GET):
            batch = [keys.code(code) for code in wanted[start : start + _BATCH_GET]]
            # Eventually consistent: a fold read a moment stale only loses its condition.
            found |= {item["code"]: folded_of(item) for item in self.table.get_many(batch, consistent=False)}
        return found

    def visits_after(self, code: str, through: date | None) -> dict[date, int]:
        """The code's visits of the days after `through` (all of them when None), by day."""
        since = keys.visit_sk(through + timedelta(days=1)) if through else None
        days: Counter[date] = Counter()
        for shard in range(keys.VISIT_SHARDS):
            days.update(
                keys.visit_day(sk) for sk in self.table.sort_keys(keys.visit_pk(code, shard), since=since)
            )
        return dict(days)

    def any_visit(self, code: str) -> bool:
        """Whether the code has a visit at all: at most one key read from each shard, and none
        after the first found."""
        return any(
            next(self.table.sort_keys(keys.visit_pk(code, shard), limit=1), None) is not None
            for shard in range(keys.VISIT_SHARDS)
        )

    def fold(self, code: str, was: date | None, folded: FoldedClicks) -> bool:
        """Set the code's folded clicks, unless another reader folded since `was` was read
        (False: that reader's count stands, and is as right)."""
        if folded.through is None:
            raise ValueError("a fold names the last day it adds up")
        condition = "attribute_exists(pk) AND " + (
            "clicks_through = :was" if was else "attribute_not_exists(clicks_through)"
        )
        values: dict[str, object] = {":n": folded.clicks, ":through": folded.through.isoformat()}
        if was:
            values[":was"] = was.isoformat()
        try:
            self.table.update(
                keys.code(code), "SET clicks = :n, clicks_through = :through", values, condition=condition
            )
        except ConditionFailed:
            return False
        return True
