"""Counting clicks: exactly one DynamoDB call per click, and no read."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from passaparola.domain.records import Visit, VisitOutcome
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, Table, expiry, stamp

logger = Logger(child=True)


class ClickStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, visit: Visit) -> VisitOutcome:
        """One transaction: a per-visitor-per-day marker (expiring) and the code's counter.

        The marker's condition dedupes a visitor within the day; the counter's condition
        refuses codes that do not exist or are not active. Either failing cancels both, so
        a repeat or an invalid code writes nothing.
        """
        item = keys.visit(visit.code, visit.day.isoformat(), visit.visitor) | {
            "at": stamp(visit.at),
            "variant": visit.variant,
            "expires_at": expiry(visit.expires_at),
        }
        try:
            self.table.transaction().put("visit", item).update(
                "code",
                keys.code(visit.code),
                "ADD clicks :one",
                {":one": 1, ":active": "active"},
                condition="attribute_exists(pk) AND #status = :active",
                names={"#status": "status"},
            ).run()
        except Cancelled as cancelled:
            if cancelled.failed("code"):
                return "invalid"
            if cancelled.failed("visit"):
                return "repeat"
            return "lost"
        except (ClientError, BotoCoreError):
            # A click that cannot be counted (throttling, an outage) must still reach its page.
            logger.exception("click not counted", extra={"code": visit.code})
            return "lost"
        return "counted"
