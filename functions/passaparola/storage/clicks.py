"""Counting clicks: one conditional PutItem per counted click, and no read."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from passaparola.domain.records import Visit, VisitOutcome
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Item, Table, expires, expiry, moment, stamp

logger = Logger(child=True)


def visit_item(visit: Visit) -> Item:
    return keys.visit(visit.code, visit.day.isoformat(), visit.visitor) | {
        "campaign": visit.campaign,
        "at": stamp(visit.at),
        "variant": visit.variant,
        "expires_at": expiry(visit.expires_at),
    }


def visit_of(item: Item) -> Visit:
    code, day, visitor = keys.visit_parts(item["pk"])
    at = moment(item, "at")
    return Visit(code, item["campaign"], day, visitor, at, item.get("variant"), expires(item) or at)


class ClickStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, visit: Visit) -> VisitOutcome:
        """A per-visitor-per-day marker (1 WCU, expiring): its condition dedupes a visitor
        within the day. One visit item per visitor spreads a viral code's clicks over the
        table's partitions; the counters are added up from the stream, in batches."""
        try:
            self.table.put(visit_item(visit), condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return "repeat"
        except (ClientError, BotoCoreError):
            # A click that cannot be counted (throttling, an outage) must still reach its page.
            logger.exception("click not counted", extra={"code": visit.code})
            return "lost"
        return "counted"
