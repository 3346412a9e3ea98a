"""The counters' items as the stream's rollup writes them (PLAN.md, "Counters"); it alone does.

A referral code's counters live on its own item (ADD, conditional on the item existing, so a
click on a code nobody holds never creates one); a campaign's counters live on one item per
day, with that day's visitors as a HyperLogLog sketch. Sketches are merged register-wise,
read first and written under the version read, since two shards' batches may merge into one
day at once. Every write of a chunk, the batch's checkpoint included, is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from passaparola.domain import sketch
from passaparola.domain.counters import Amount, CodeCounters, DayCounters, Deltas, Target
from passaparola.domain.errors import Conflict
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, Table, Transaction, expiry

# A stream keeps records 24 hours, so no batch is handed over again after that.
CHECKPOINT_KEPT = timedelta(days=2)
# Both allow digits far beyond DynamoDB's: sequence numbers compare as fixed-width text.
_SEQUENCE_DIGITS = 48
_ATTEMPTS = 8
_BATCH_GET = 100


class RollupStore:
    def __init__(self, table: Table, clock: Callable[[], datetime]) -> None:
        self.table = table
        self.clock = clock

    def checkpoint(self, batch: str) -> int | None:
        item = self.table.get(keys.rollup_checkpoint(batch))
        return int(item["upto"]) if item else None

    def counted_codes(self, codes: Collection[str]) -> set[str]:
        """Eventually consistent, at half the read units (in the long tail, a code read per
        click): a code is clicked only once its owner has the link, well after its item is
        written; a click counted a moment after its code was deactivated is harmless."""
        wanted = sorted(codes)
        found: set[str] = set()
        for start in range(0, len(wanted), _BATCH_GET):
            batch = [keys.code(code) for code in wanted[start : start + _BATCH_GET]]
            items = self.table.get_many(batch, consistent=False)
            found |= {item["code"] for item in items if item.get("status") == "active"}
        return found

    def apply(self, batch: str, after: int | None, upto: int, deltas: Deltas) -> bool:
        vanished: set[str] = set()
        for _ in range(_ATTEMPTS):
            sketches = self._sketches(deltas.visitors)
            transaction = self._checkpoint(batch, after, upto)
            for target in sorted(deltas.targets, key=_name):
                if isinstance(target, CodeCounters) and target.code in vanished:
                    continue
                _update(transaction, target, deltas.adds.get(target, {}), sketches.get(target))
            try:
                transaction.run()
            except Cancelled as cancelled:
                if cancelled.failed("checkpoint"):
                    return False
                failed = {name for name in cancelled.reasons if cancelled.failed(name)}
                # A code deleted since it was read: its own counters go with it.
                vanished |= {name.removeprefix("code:") for name in failed if name.startswith("code:")}
                if not failed and not cancelled.conflict:
                    raise
                continue  # a sketch merged by another batch meanwhile, or a conflict: again
            return True
        raise Conflict("the counters kept changing under this batch; the stream will hand it over again")

    def _checkpoint(self, batch: str, after: int | None, upto: int) -> Transaction:
        values: dict[str, Any] = {
            ":upto": _sequence(upto),
            ":expires": expiry(self.clock() + CHECKPOINT_KEPT),
        }
        condition = "attribute_not_exists(upto)"
        if after is not None:
            condition = "upto = :after"
            values[":after"] = _sequence(after)
        return self.table.transaction().update(
            "checkpoint",
            keys.rollup_checkpoint(batch),
            "SET upto = :upto, expires_at = :expires",
            values,
            condition,
        )

    def _sketches(self, visitors: Mapping[DayCounters, set[str]]) -> dict[Target, _Merged]:
        """Each day's sketch with the visitors added, where they change it, and the version
        it was read at."""
        if not visitors:
            return {}
        days = list(visitors)
        items = self.table.get_many([keys.stats_day(day.campaign, day.day.isoformat()) for day in days])
        stored = {(item["pk"], item["sk"]): item for item in items}
        merged: dict[Target, _Merged] = {}
        for day in days:
            key = keys.stats_day(day.campaign, day.day.isoformat())
            item = stored.get((key["pk"], key["sk"]), {})
            blob = item.get("visitors_hll")
            before = sketch.from_bytes(bytes(blob)) if blob is not None else sketch.empty()
            after = before
            for visitor in visitors[day]:
                after = sketch.add(after, visitor)
            if after != before:
                version = item.get("hll_version")
                merged[day] = _Merged(sketch.to_bytes(after), int(version) if version is not None else None)
        return merged


class _Merged:
    def __init__(self, blob: bytes, version: int | None) -> None:
        self.blob = blob
        self.version = version


def _update(
    transaction: Transaction, target: Target, adds: Mapping[str, Amount], merged: _Merged | None
) -> None:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    added = []
    for index, (counter, amount) in enumerate(sorted(adds.items())):
        names[f"#c{index}"] = counter
        values[f":c{index}"] = amount
        added.append(f"#c{index} :c{index}")
    expression = f"ADD {', '.join(added)}" if added else ""
    if isinstance(target, CodeCounters):
        if expression:
            transaction.update(
                _name(target), keys.code(target.code), expression, values, "attribute_exists(pk)", names
            )
        return
    condition: str | None = None
    if merged is not None:
        values |= {":hll": merged.blob, ":next": (merged.version or 0) + 1}
        expression = f"SET visitors_hll = :hll, hll_version = :next {expression}".strip()
        if merged.version is None:
            condition = "attribute_not_exists(hll_version)"
        else:
            condition = "hll_version = :read"
            values[":read"] = merged.version
    if expression:
        transaction.update(
            _name(target),
            keys.stats_day(target.campaign, target.day.isoformat()),
            expression,
            values,
            condition,
            names or None,
        )


def _name(target: Target) -> str:
    if isinstance(target, CodeCounters):
        return f"code:{target.code}"
    return f"day:{target.campaign}:{target.day.isoformat()}"


def _sequence(number: int) -> str:
    return str(number).zfill(_SEQUENCE_DIGITS)
