"""The short way through moto's answer serialiser writes exactly what moto's own way writes."""

import json
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.serialize import JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model
from moto.dynamodb.models.table import Table

from passaparola_localstack import moto_speedups

pytestmark = pytest.mark.integration

_MODEL = get_service_model("dynamodb")

text = st.text(max_size=8)
names = st.text(min_size=1, max_size=8)  # DynamoDB refuses an empty attribute name
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, text),
    st.builds(lambda n: {"N": str(n)}, st.integers()),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": s}, st.lists(text, min_size=1, max_size=3, unique=True)),
    st.builds(
        lambda n: {"NS": [str(x) for x in n]}, st.lists(st.integers(), min_size=1, max_size=3, unique=True)
    ),
    st.builds(lambda b: {"B": b}, st.binary(max_size=6)),
    st.builds(lambda s: {"S": s}, st.integers()),  # not wire-ready: moto turns it into text
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda m: {"M": m}, st.dictionaries(names, inner, max_size=3)),
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
    ),
    max_leaves=8,
)
items = st.dictionaries(names, values, max_size=4)


class _MotosOwnWay(JSONSerializer):
    _serialize_type_structure = moto_speedups._generic  # type: ignore[assignment]


def _body(serializer_class: type[JSONSerializer], operation: str, result: dict) -> dict:
    serializer = serializer_class(
        operation_model=_MODEL.operation_model(operation), value_picker=XFormedAttributePicker()
    )
    return json.loads(serializer.serialize(result)["body"])


@settings(max_examples=60, deadline=None)
@given(items, st.lists(items, max_size=3))
def test_an_item_and_a_query_serialise_as_moto_would(item, found):
    moto_speedups.install()
    assert _body(JSONSerializer, "GetItem", {"Item": item}) == _body(_MotosOwnWay, "GetItem", {"Item": item})
    query = {"Items": found, "Count": len(found), "ScannedCount": len(found)}
    assert _body(JSONSerializer, "Query", query) == _body(_MotosOwnWay, "Query", query)


def test_the_short_way_is_taken_for_wire_ready_values_only():
    assert moto_speedups._wire_ready({"M": {"a": {"L": [{"S": "x"}, {"NULL": True}]}}})
    assert not moto_speedups._wire_ready({"B": b"x"})
    assert not moto_speedups._wire_ready({"S": 3})
    assert not moto_speedups._wire_ready({"S": "x", "N": "1"})


keys = st.sampled_from(["A", "B", "C"])
stored = st.lists(
    st.fixed_dictionaries({"pk": keys, "sk": st.text("abc", min_size=1, max_size=4), "g": keys}),
    max_size=25,
)
queries = st.fixed_dictionaries(
    {
        "key": keys,
        "index": st.booleans(),
        "prefix": st.sampled_from(["", "a", "ab"]),
        "forward": st.booleans(),
        "limit": st.sampled_from([None, 2]),
    }
)


def _query(client: Any, table: str, query: dict[str, Any]) -> dict[str, Any]:
    condition, values = "pk = :k", {":k": {"S": query["key"]}}
    if query["index"]:
        condition = "g = :k"
    elif query["prefix"]:
        condition += " AND begins_with(sk, :p)"
        values[":p"] = {"S": query["prefix"]}
    request = {"TableName": table, "KeyConditionExpression": condition, "ExpressionAttributeValues": values}
    request |= {"IndexName": "by-g"} if query["index"] else {}
    request |= {"ScanIndexForward": query["forward"]} | ({"Limit": query["limit"]} if query["limit"] else {})
    answer = client.query(**request)
    return {key: answer.get(key) for key in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")}


@settings(max_examples=40, deadline=None)
@given(stored, st.lists(queries, min_size=1, max_size=4))
def test_a_query_finds_what_moto_would_in_the_same_order(table_client, found, asked):
    client, table = table_client()
    for item in found:
        client.put_item(TableName=table, Item={name: {"S": value} for name, value in item.items()})
    short = [_query(client, table, query) for query in asked]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "query", moto_speedups._query)
        patch.setattr(Table, "all_items", moto_speedups._sorted_items)
        own = [_query(client, table, query) for query in asked]
    assert short == own


@pytest.fixture(scope="module")
def table_client():
    with mock_aws():
        moto_speedups.install()
        client = boto3.client("dynamodb", region_name="us-east-1")
        made = iter(range(10**6))

        def fresh() -> tuple[Any, str]:
            name = f"t{next(made)}"
            client.create_table(
                TableName=name,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": "by-g",
                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            )
            return client, name

        yield fresh
