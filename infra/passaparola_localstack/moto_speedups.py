"""Two places where moto 5.2 spends in proportion to more than the request asks for; each
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
"""

import threading
from typing import Any

from moto.core.serialize import JSONSerializer
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


def install() -> None:
    """Idempotent: the patches replace moto's methods once per process."""
    JSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign,assignment]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.query = _query_without_sorting_the_table  # type: ignore[method-assign]
