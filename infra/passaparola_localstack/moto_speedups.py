"""moto 5.2 serialises every DynamoDB answer member by member against the botocore model,
trying each member's aliases on the Python object; an item's attribute values, already in
their wire form (`{"S": "x"}`), cost that walk for each of their ten possible members. A
`Query` of a hundred items, or a stream read of a thousand records, spent most of its time
there: a third of the cost model's run. The values whose wire form is the value itself go
straight through; anything else (binary values, a shape we do not know) takes moto's path.
"""

from typing import Any

from moto.core.serialize import JSONSerializer

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


def install() -> None:
    """Idempotent: the patch replaces moto's method once per process."""
    JSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign,assignment]
