"""Each of moto_speedups' short ways gives exactly what moto's own way gives."""

import contextlib
import copy
import json
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.serialize import JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
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
an_item = st.fixed_dictionaries({"pk": keys, "sk": st.text("abc", min_size=1, max_size=4), "g": keys})
stored = st.lists(an_item, max_size=25)
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

        def fresh(stream: bool = False) -> tuple[Any, str]:
            name = f"t{next(made)}"
            streaming = {"StreamViewType": "NEW_AND_OLD_IMAGES", "StreamEnabled": True}
            client.create_table(
                **({"StreamSpecification": streaming} if stream else {}),
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


operations = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]),
            "pk": keys,
            "sk": st.sampled_from(["a", "b"]),
            "value": st.integers(0, 3),
            "condition": st.sampled_from([None, "attribute_exists(pk)", "attribute_not_exists(pk)"]),
        }
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda operation: (operation["pk"], operation["sk"]),
)


def _transaction(table: str, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    written = []
    for operation in operations:
        key = {"pk": {"S": operation["pk"]}, "sk": {"S": operation["sk"]}}
        request: dict[str, Any] = {"TableName": table}
        if operation["kind"] == "Put":
            request["Item"] = key | {"v": {"N": str(operation["value"])}}
        else:
            request["Key"] = key
        if operation["kind"] == "Update":
            request |= {"UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
        if operation["condition"] or operation["kind"] == "ConditionCheck":
            request["ConditionExpression"] = operation["condition"] or "attribute_exists(pk)"
        written.append({operation["kind"]: request})
    return written


def _state(client: Any, streams: Any, table: str) -> dict[str, Any]:
    items = client.scan(TableName=table)["Items"]
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    changes = [
        (record["eventName"], record["dynamodb"].get("NewImage"), record["dynamodb"].get("OldImage"))
        for record in records
    ]
    return {"items": sorted(items, key=json.dumps), "stream": changes}


@settings(max_examples=25, deadline=None)
@given(st.lists(an_item, max_size=6), st.lists(operations, min_size=1, max_size=4))
def test_failed_transactions_leave_the_table_and_its_stream_as_moto_would(table_client, found, transactions):
    """Some transactions succeed and some are cancelled by a condition (or by two writes to
    one item); the items and the stream's records end as with moto's own copy of the table."""
    ends = []
    for own_way in (False, True):
        client, table = table_client(stream=True)
        for item in found:
            client.put_item(TableName=table, Item={name: {"S": value} for name, value in item.items()})
        with pytest.MonkeyPatch.context() as patch:
            if own_way:
                patch.setattr(DynamoDBBackend, "transact_write_items", moto_speedups._transact)
                patch.setattr(dynamodb_models, "copy", copy)
            for operations_ in transactions:
                with contextlib.suppress(client.exceptions.TransactionCanceledException):
                    client.transact_write_items(TransactItems=_transaction(table, operations_))
            ends.append(_state(client, boto3.client("dynamodbstreams", region_name="us-east-1"), table))
    assert ends[0] == ends[1]
