"""What DynamoDB writes and reads consume, worked out as DynamoDB bills them (moto reports none
for transactions): 1 WCU per KB or part of one for a standard write, 2 for a transactional one;
an item's size is the larger of before and after; a failed condition consumes what the write
would have; and a change of an index's sort key is two writes on the index's partition (the
old entry deleted, the new one put). A read: 1 RRU per 4 KB or part of one of each item read
(a query: of all the items it reads together, whatever its projection returns, and at least
one unit), half that when eventually consistent. The cost model and the viral replay both
count this way.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

LIMIT_WCU = 1000  # per partition key and second, before DynamoDB throttles it
Hottest = tuple[str, int, float]  # key, second, WCU


@dataclass
class Writes:
    """WCU by partition key and second, folded second by second into the hottest key of each
    kind (a replay of a million visits cannot keep every key of every second)."""

    total: float = 0.0
    read_units: float = 0.0
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hottest: Hottest = ("", 0, 0.0)
    hottest_by_kind: dict[str, Hottest] = field(default_factory=dict)
    by_kind: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _second: int = 0
    _keys: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, second: int, key: str, wcu: float) -> None:
        if second != self._second:
            self.fold()
            self._second = second
        self._keys[key] += wcu
        self.total += wcu
        self.by_kind[kind(key)] += wcu

    def fold(self) -> None:
        for key, wcu in self._keys.items():
            if wcu > self.hottest[2]:
                self.hottest = (key, self._second, wcu)
            if wcu > self.hottest_by_kind.get(kind(key), ("", 0, 0.0))[2]:
                self.hottest_by_kind[kind(key)] = (key, self._second, wcu)
        self._keys = defaultdict(float)


def kind(key: str) -> str:
    """What a partition key is: VISIT, CODE, STATS, ROLLUP... or an index's partition."""
    return key.split("#", 1)[0] if "#" in key else key.split(":", 1)[0]


@contextlib.contextmanager
def recording(table: str, writes: Writes, second: Callable[[], int]) -> Iterator[None]:
    """Every PutItem, UpdateItem and TransactWriteItems made through the functions' DynamoDB
    client, with what it consumes, in the `second()` it was made; and every read's units."""
    from passaparola.storage import aws

    events = aws.client("dynamodb").meta.events
    pending: list[tuple[int, list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]]]] = []
    reading: list[dict[str, Any]] = []

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        writes.calls[model.name] += 1
        if model.name in ("GetItem", "BatchGetItem", "Query"):
            reading.append(params)
        if model.name in ("PutItem", "UpdateItem"):
            key = params.get("Key") or {name: params["Item"][name] for name in ("pk", "sk")}
            pending.append((1, [(key, _stored(table, key), params.get("Item"))]))
        elif model.name == "TransactWriteItems":
            touched = []
            for operation in params["TransactItems"]:
                ((op, detail),) = operation.items()
                key = detail["Key"] if op != "Put" else {n: detail["Item"][n] for n in ("pk", "sk")}
                touched.append((key, _stored(table, key), detail.get("Item")))
            pending.append((2, touched))

    def after(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name in ("GetItem", "BatchGetItem", "Query") and reading:
            writes.read_units += _read_units(table, model.name, reading.pop(), parsed)
            return
        if model.name not in ("PutItem", "UpdateItem", "TransactWriteItems") or not pending:
            return
        factor, touched = pending.pop()
        now = second()
        for key, old, put in touched:
            new = _stored(table, key)
            size = max(item_bytes(old), item_bytes(new), item_bytes(put))
            writes.add(now, key["pk"]["S"], factor * max(1, math.ceil(size / 1024)))
            index = _top_index_writes(old, new)
            if index:
                writes.add(now, f"top index:{_value(new or old, 'top_pk')}", index)

    events.register("before-parameter-build.dynamodb", before)
    events.register("after-call.dynamodb", after)
    try:
        yield
    finally:
        events.unregister("before-parameter-build.dynamodb", before)
        events.unregister("after-call.dynamodb", after)


def _read_units(table: str, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
    if operation == "GetItem":
        sizes = [item_bytes(_stored(table, params["Key"]))]
        consistent = bool(params.get("ConsistentRead"))
    elif operation == "BatchGetItem":
        asked = params["RequestItems"][table]
        sizes = [item_bytes(_stored(table, key)) for key in asked["Keys"]]
        consistent = bool(asked.get("ConsistentRead"))
    else:
        pk = params["ExpressionAttributeValues"][":pk"] if "IndexName" not in params else None
        found = parsed.get("Items", [])
        stored = [_stored(table, {"pk": pk, "sk": item["sk"]}) if pk else item for item in found]
        sizes = [sum(item_bytes(item) for item in stored)]
        consistent = bool(params.get("ConsistentRead"))
    units = sum(max(1, math.ceil(size / 4096)) for size in sizes)
    return units if consistent else units / 2


# What the template's `top` index holds of a code (its keys and projected attributes).
_TOP_INDEX_ATTRIBUTES = ("top_pk", "rank", "code", "display_name", "claims", "orders")


def _top_index_writes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
    """Writes on the `top` index for a code's change: its sort key changed, a delete (if it was
    in the index) and a put; only a projected attribute changed, one put; else none."""
    if _value(new, "rank") is None and _value(old, "rank") is None:
        return 0
    if _value(old, "rank") != _value(new, "rank"):
        return 2 if _value(old, "rank") is not None and _value(new, "rank") is not None else 1
    return int(any(_value(old, name) != _value(new, name) for name in _TOP_INDEX_ATTRIBUTES))


def _stored(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """An item as moto (in this process) holds it now, read without an API call."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    found = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_item(table, key)
    return found.to_json()["Attributes"] if found else None


def _value(item: dict[str, Any] | None, name: str) -> Any:
    if item is None or name not in item:
        return None
    return next(iter(item[name].values()))


def item_bytes(item: dict[str, Any] | None) -> int:
    """An item's size as DynamoDB counts it: names and values; a number about one byte per
    two significant digits, plus one."""
    if not item:
        return 0
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    ((kind_, data),) = value.items()
    if kind_ == "S":
        return len(str(data).encode())
    if kind_ == "N":
        digits = str(Decimal(str(data)).normalize()).replace("-", "").replace(".", "").lstrip("0")
        return (len(digits) + 1) // 2 + 1
    if kind_ == "B":  # bytes as sent; base64 text as moto returns it
        return len(data) if isinstance(data, bytes) else len(str(data)) * 3 // 4
    if kind_ in ("BOOL", "NULL"):
        return 1
    if kind_ == "M":
        return 3 + sum(len(k.encode()) + _value_bytes(v) for k, v in data.items())
    if kind_ == "L":
        return 3 + sum(1 + _value_bytes(v) for v in data)
    return sum(len(str(v).encode()) for v in data)
