"""Three places where moto 5.2 spends in proportion to more than the request asks for; each
short way gives exactly what moto's own gives (tests/integration/test_moto_speedups.py).

- Answers: moto serialises every DynamoDB answer member by member against the botocore
  model, trying each member's aliases on the Python object; an item's attribute values,
  already in their wire form (`{"S": "x"}`), cost that walk for each of their ten possible
  members. A `Query` of a hundred items, or a stream read of a thousand records, spent most of
  its time there: a third of the cost model's run. The values whose wire form is the value
  itself go straight through; anything else (binary values, a shape we do not know) takes
  moto's path.
- Queries: moto sorts every item of the table, then keeps those of the queried key, on each
  `Query`; a table that holds a viral code's visits took half a second a query. A query of
  the table reads the key's own items; a query of an index skips the sort that its own sort
  by the index's keys repeats.
- Transactions: to undo a transaction that fails, moto deep-copies every table it names, every
  item and every stream record the table ever had, before each `TransactWriteItems`; in a
  test that enrols a thousand referrers that was most of its time. The items the transaction
  names, and the stream's length, are kept instead, and put back if it fails.
"""

import copy
import threading
from collections.abc import Callable
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.core.serialize import JSONSerializer
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_TEXT = frozenset(("S", "N"))
_FLAGS = frozenset(("BOOL", "NULL"))
_SETS = frozenset(("SS", "NS"))


def _wire_ready(value: Any) -> bool:
    if type(value) is not dict or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _TEXT:
        return type(inner) is str
    if kind in _FLAGS:
        return type(inner) is bool
    if kind in _SETS:
        return type(inner) is list and all(type(member) is str for member in inner)
    if kind == "M":
        return type(inner) is dict and all(_wire_ready(member) for member in inner.values())
    if kind == "L":
        return type(inner) is list and all(_wire_ready(member) for member in inner)
    return False


_generic = JSONSerializer._serialize_type_structure


def _serialize_type_structure(
    self: JSONSerializer, serialized: Any, value: Any, shape: Any, key: str
) -> None:
    if key and shape.name == "AttributeValue" and _wire_ready(value):
        self._default_serialize(serialized, value, shape, key)
        return
    _generic(self, serialized, value, shape, key)


_sorted_items = Table.all_items
_query = Table.query
_querying = threading.local()  # the table and key of the query this thread is running


def _all_items(self: Table) -> list[Any]:
    running = getattr(_querying, "query", None)
    if running is None or running[0] is not self:
        return _sorted_items(self)
    hash_key = running[1]
    if hash_key is not None:
        return list(self.items.get(hash_key, {}).values())
    return [item for partition in self.items.values() for item in partition.values()]


def _query_without_sorting_the_table(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if not self.range_key_attr:
        return _query(self, hash_key, *args, **kwargs)
    _querying.query = (self, None if index_name else hash_key)
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _querying.query = None


class _TablesKeptInPlace:
    """The `copy` module as moto's DynamoDB backend sees it, except that the copy it takes of a
    table before a transaction is the table itself: _transact_write_items keeps what the
    transaction can change instead, and moto's putting back of its copy changes nothing."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


_transact = DynamoDBBackend.transact_write_items


def _undo_of(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Callable[[], None]]:
    """What puts back each item the transaction names, and each of its tables' streams. An
    operation moto will refuse (no such table, a malformed key) is skipped: it changes nothing."""
    undo: list[Callable[[], None]] = []
    streams: set[str] = set()
    for entry in transact_items:
        try:
            kind, operation = next(iter(entry.items()))
            table = backend.tables[operation["TableName"]]
            if kind == "Put":
                key_names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
                key = {name: operation["Item"][name] for name in key_names}
            else:
                key = operation["Key"]
            hash_key, range_key = backend.get_keys_value(table, key)
            before = copy.deepcopy(table.get_item(hash_key, range_key))
        except Exception:  # noqa: S112 - moto answers for it, as it would have
            continue
        undo.append(_putting_back(table, hash_key, range_key, before))
        if table.stream_shard is not None and table.name not in streams:
            streams.add(table.name)
            undo.append(_cutting_stream(table.stream_shard, len(table.stream_shard.items)))
    return undo


def _putting_back(table: Table, hash_key: Any, range_key: Any, before: Any) -> Callable[[], None]:
    def put_back() -> None:
        partition: dict[Any, Any] = table.items[hash_key] if table.range_key_attr else table.items
        slot = range_key if table.range_key_attr else hash_key
        if before is None:
            partition.pop(slot, None)
        else:
            partition[slot] = before

    return put_back


def _cutting_stream(shard: Any, length: int) -> Callable[[], None]:
    records = shard.items

    def cut() -> None:
        del records[length:]
        shard.items = records

    return cut


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    undo = _undo_of(self, transact_items)
    try:
        _transact(self, transact_items)
    except Exception:
        for step in undo:
            step()
        raise


def install() -> None:
    """Idempotent: the patches replace moto's methods once per process."""
    JSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign,assignment]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.query = _query_without_sorting_the_table  # type: ignore[method-assign]
    dynamodb_models.copy = _TablesKeptInPlace()  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
