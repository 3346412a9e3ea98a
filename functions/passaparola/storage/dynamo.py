"""A thin layer over the DynamoDB client: items in and out as Python values, failed conditions
and cancelled transactions named, and times stored one way. The adapters map items to records."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from passaparola.storage import aws
from passaparola.storage.keys import DUE, DUE_INDEX

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

Item = dict[str, Any]
R = TypeVar("R")
_CONFLICT_RETRIES = 3


@cache
def _codec() -> tuple[TypeSerializer, TypeDeserializer]:
    # boto3's own (de)serializer; imported on first use, with the client, not at import time.
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    serializer = _codec()[0]
    return {k: serializer.serialize(v) for k, v in item.items() if v is not None}


def from_dynamo(item: Mapping[str, Any]) -> Item:
    deserializer = _codec()[1]
    return {k: deserializer.deserialize(v) for k, v in item.items()}


def stamp(moment: datetime) -> str:
    """Times are stored as fixed-width UTC ISO strings, so string order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def stamped(item: Item, name: str) -> datetime | None:
    """The time an item holds under `name`, if it holds one."""
    text = item.get(name)
    return datetime.fromisoformat(text) if text else None


def moment(item: Item, name: str) -> datetime:
    """The time an item always holds under `name`."""
    return datetime.fromisoformat(item[name])


def expiry(at: datetime) -> int:
    """TTL attributes are whole seconds since the epoch, as DynamoDB's TTL reads them."""
    return int(at.timestamp())


def expires(item: Item, name: str = "expires_at") -> datetime | None:
    """When a TTL attribute says the item expires, if it has one."""
    seconds = item.get(name)
    return datetime.fromtimestamp(int(seconds), UTC) if seconds is not None else None


class ConditionFailed(Exception):
    def __init__(self, item: Item | None) -> None:
        super().__init__("condition failed")
        self.item = item


class Cancelled(Exception):
    """A transaction was cancelled; says which named operations' conditions failed."""

    def __init__(self, reasons: Mapping[str, str], items: Mapping[str, Item | None]) -> None:
        super().__init__("transaction cancelled: " + ", ".join(f"{k}={v}" for k, v in reasons.items()))
        self.reasons = dict(reasons)
        self.items = dict(items)

    def failed(self, name: str) -> bool:
        return self.reasons.get(name) == "ConditionalCheckFailed"

    @property
    def conflict(self) -> bool:
        """Lost a race with another transaction on the same items; safe to retry as is."""
        codes = set(self.reasons.values())
        return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


class Transaction:
    """TransactWriteItems with named operations, so callers read failures by name."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._names: list[str] = []
        self._operations: list[dict[str, Any]] = []

    def put(self, name: str, item: Item, condition: str | None = "attribute_not_exists(pk)") -> Transaction:
        op: dict[str, Any] = {"TableName": self.table.name, "Item": to_dynamo(item)}
        if condition:
            op |= {"ConditionExpression": condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        return self._add(name, {"Put": op})

    def update(
        self,
        name: str,
        key: Mapping[str, str],
        expression: str,
        values: Mapping[str, Any] | None = None,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Transaction:
        op = _update(self.table.name, key, expression, values, condition, names)
        if condition:
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return self._add(name, {"Update": op})

    def delete(
        self,
        name: str,
        key: Mapping[str, str],
        condition: str | None = None,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Gone, whether it was there or not (so a retried transaction still succeeds), unless
        a condition is given."""
        op: dict[str, Any] = {"TableName": self.table.name, "Key": to_dynamo(key)}
        if condition:
            op |= {"ConditionExpression": condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        if values:
            op["ExpressionAttributeValues"] = to_dynamo(values)
        if names:
            op["ExpressionAttributeNames"] = names
        return self._add(name, {"Delete": op})

    def check(
        self,
        name: str,
        key: Mapping[str, str],
        condition: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Transaction:
        """A condition on an item the transaction does not write."""
        op: dict[str, Any] = {
            "TableName": self.table.name,
            "Key": to_dynamo(key),
            "ConditionExpression": condition,
        }
        if values:
            op["ExpressionAttributeValues"] = to_dynamo(values)
        if names:
            op["ExpressionAttributeNames"] = names
        op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return self._add(name, {"ConditionCheck": op})

    def _add(self, name: str, operation: dict[str, Any]) -> Transaction:
        self._names.append(name)
        self._operations.append(operation)
        return self

    def run(self) -> None:
        """DynamoDB cancels a transaction that meets another one on the same item (a conflict,
        not a failed condition) and botocore does not retry that: we do, a few times."""
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                self.table.client.transact_write_items(TransactItems=self._operations)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = exc.response.get("CancellationReasons", [])
                cancelled = Cancelled(
                    {name: r.get("Code", "None") for name, r in zip(self._names, reasons, strict=False)},
                    {
                        name: from_dynamo(r["Item"]) if "Item" in r else None
                        for name, r in zip(self._names, reasons, strict=False)
                    },
                )
                if not cancelled.conflict or attempt == _CONFLICT_RETRIES:
                    raise cancelled from exc
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not secrecy
            else:
                return


class Table:
    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def client(self) -> Any:
        return aws.client("dynamodb")

    def get(self, key: Mapping[str, str]) -> Item | None:
        # Always a strongly consistent read: every read here decides something about money.
        response = self.client.get_item(TableName=self.name, Key=to_dynamo(key), ConsistentRead=True)
        return from_dynamo(response["Item"]) if "Item" in response else None

    def read(self, key: Mapping[str, str], record: Callable[[Item], R]) -> R | None:
        """The item under `key` as a record, or None."""
        item = self.get(key)
        return record(item) if item else None

    def get_many(self, keys: Sequence[Mapping[str, str]], *, consistent: bool = True) -> list[Item]:
        """Several items in one BatchGetItem (up to 100 keys), strongly consistent like `get`
        unless told otherwise (half the read units, for what decides nothing about money)."""
        pending: dict[str, Any] = {
            self.name: {"Keys": [to_dynamo(key) for key in keys], "ConsistentRead": consistent}
        }
        found: list[Item] = []
        for attempt in range(_CONFLICT_RETRIES + 1):
            response = self.client.batch_get_item(RequestItems=pending)
            found += [from_dynamo(item) for item in response["Responses"].get(self.name, [])]
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return found
            # A throttled batch hands back the keys it did not read: back off, ask again.
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not secrecy
        raise RuntimeError("DynamoDB kept some keys of a batch read unprocessed; retry")

    def query(self, pk: str, *, sk_prefix: str | None = None) -> Iterator[Item]:
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if sk_prefix else "")
        values = {":pk": pk} | ({":prefix": sk_prefix} if sk_prefix else {})
        yield from self._paginate(
            KeyConditionExpression=condition, ExpressionAttributeValues=to_dynamo(values)
        )

    def query_due(self, upto: str, limit: int) -> Iterator[Item]:
        yield from self._paginate(
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_pk = :due AND due_at <= :upto",
            ExpressionAttributeValues=to_dynamo({":due": DUE, ":upto": upto}),
            Limit=limit,
        )

    def query_range(self, pk: str, first: str, last: str) -> Iterator[Item]:
        """Items under `pk` with a sort key from `first` to `last`, both included. Eventually
        consistent (half the read units): for reports, which decide nothing about money."""
        yield from self._paginate(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues=to_dynamo({":pk": pk, ":first": first, ":last": last}),
        )

    def sort_keys(self, pk: str, *, since: str | None = None, limit: int | None = None) -> Iterator[str]:
        """The sort keys under `pk`, from `since` on when given: keys only, eventually consistent
        (half the read units: counts, never money), every page; with `limit`, one page of at
        most that many."""
        condition = "pk = :pk" + (" AND sk >= :since" if since else "")
        values = {":pk": pk} | ({":since": since} if since else {})
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_dynamo(values),
            "ProjectionExpression": "sk",
        }
        if limit is not None:
            response = self.client.query(TableName=self.name, Limit=limit, **kwargs)
            yield from (item["sk"]["S"] for item in response["Items"])
            return
        yield from (item["sk"] for item in self._paginate(**kwargs))

    def query_page(
        self,
        index: str,
        condition: str,
        values: Mapping[str, Any],
        *,
        limit: int,
        after: Mapping[str, Any] | None = None,
        forward: bool = True,
    ) -> tuple[list[Item], Item | None]:
        """One page of a secondary index, and the position the next page starts from."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_dynamo(values),
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        if after:
            kwargs["ExclusiveStartKey"] = to_dynamo(after)
        response = self.client.query(**kwargs)
        last = response.get("LastEvaluatedKey")
        return [from_dynamo(item) for item in response["Items"]], from_dynamo(last) if last else None

    def _paginate(self, **kwargs: Any) -> Iterator[Item]:
        while True:
            response = self.client.query(TableName=self.name, **kwargs)
            yield from (from_dynamo(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def put(self, item: Item, *, condition: str | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_dynamo(item)}
        if condition:
            kwargs |= {"ConditionExpression": condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        self._conditional(self.client.put_item, kwargs)

    def update(
        self,
        key: Mapping[str, str],
        expression: str,
        values: Mapping[str, Any] | None = None,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        returning: str = "NONE",
    ) -> Item:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            **_update(self.name, key, expression, values, condition, names),
        }
        kwargs["ReturnValues"] = returning
        if condition:
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        response = self._conditional(self.client.update_item, kwargs)
        return from_dynamo(response.get("Attributes", {}))

    @staticmethod
    def _conditional(call: Any, kwargs: dict[str, Any]) -> Any:
        try:
            return call(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            old: dict[str, Any] | None = exc.response.get("Item")  # type: ignore[assignment]
            raise ConditionFailed(from_dynamo(old) if old else None) from exc

    def transaction(self) -> Transaction:
        return Transaction(self)


def _update(
    table: str,
    key: Mapping[str, str],
    expression: str,
    values: Mapping[str, Any] | None,
    condition: str | None,
    names: Mapping[str, str] | None,
) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": table, "Key": to_dynamo(key), "UpdateExpression": expression}
    if values:
        op["ExpressionAttributeValues"] = to_dynamo(values)
    if condition:
        op["ConditionExpression"] = condition
    if names:
        op["ExpressionAttributeNames"] = names
    return op
