"""The table's stream and its event source mapping, locally.

Reads each shard of the stream from where the mapping left off, keeps the records its filter
criteria admit, and hands them to the function in batches of up to its BatchSize. A batch
that fails is handed over again, whole and from the same first record, as Lambda does; after
MaximumRetryAttempts it is given up on and reported to the on-failure destination, a queue.
The batching window is not waited for: locally, counters follow within a poll.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from passaparola.storage import aws
from passaparola_localstack import template as cfn
from passaparola_localstack.events import stream_event
from passaparola_localstack.provision import Stack

Invoke = Callable[[str, dict[str, Any]], Any]


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether an event source mapping's filter pattern admits `record`: every key of the
    pattern present, nested objects matching, and each list naming the allowed values (exact,
    or `{"prefix": ...}`). Any other filter rule is an error here, not a silent pass."""
    for key, wanted in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif not any(_allows(rule, value) for rule in wanted):
            return False
    return True


def _allows(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if set(rule) != {"prefix"}:
            raise ValueError(f"the local stack does not evaluate the filter rule {rule}")
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return bool(rule == value)


@dataclass
class StreamMapping:
    """One table's stream, polled for one function as its event source mapping would."""

    stack: Stack
    invoke: Invoke
    table: str = "Table"
    consumer: str = "RollUpCountersFunction"
    _positions: dict[str, str] = field(default_factory=dict)  # shard -> last sequence handed over
    _failures: dict[str, int] = field(default_factory=dict)  # first event id -> failed attempts

    def __post_init__(self) -> None:
        settings = cfn.stream_mapping(self.stack.template, self.table, self.consumer)
        self.function = settings["FunctionName"]["Ref"]
        self.batch_size = int(settings.get("BatchSize", 100))
        self.retries = int(settings.get("MaximumRetryAttempts", -1))
        filters = settings.get("FilterCriteria", {}).get("Filters", [])
        self.patterns = [json.loads(f["Pattern"]) for f in filters]
        destination = settings.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        self.failure_queue = self.stack.ref(destination["Fn::GetAtt"][0]) if destination else None
        self.stream_arn = self.stack.resolve.attributes[f"{self.table}.StreamArn"]
        self._client: Any = None

    def drain(self, max_batches: int = 10_000) -> int:
        """Hand over every record now in the stream; how many batches were handed over."""
        handed = 0
        while handed < max_batches:
            before = dict(self._positions)
            delivered = self.poll()
            if not delivered and self._positions == before:  # nothing handed, nothing passed by
                return handed
            handed += delivered
        raise AssertionError(f"the stream did not drain in {max_batches} batches")

    def taken(self) -> dict[str, str]:
        """By shard, the sequence number of the last record handed over (or passed by)."""
        return dict(self._positions)

    def poll(self) -> int:
        """One round over the shards: at most one batch each. How many batches were handed."""
        streams = self._streams()
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        handed = 0
        for shard in shards:
            handed += self._poll_shard(streams, shard["ShardId"])
        return handed

    def _poll_shard(self, streams: Any, shard: str) -> int:
        records, last = self._read(streams, shard)
        if last is None:
            return 0
        admitted = [r for r in records if self._admits(r)]
        if not admitted:
            self._positions[shard] = last
            return 0
        batch = admitted[: self.batch_size]
        # Only records up to the batch's last are taken; the rest come with the next batch.
        upto = batch[-1]["dynamodb"]["SequenceNumber"]
        try:
            self.invoke(self.function, stream_event(batch, self.stream_arn))
        except Exception:
            first = batch[0]["eventID"]
            self._failures[first] = self._failures.get(first, 0) + 1
            if self.retries < 0 or self._failures[first] <= self.retries:
                raise
            self._give_up(shard, batch)
        self._positions[shard] = upto
        return 1

    def _read(self, streams: Any, shard: str) -> tuple[list[dict[str, Any]], str | None]:
        after = self._positions.get(shard)
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard, **position)
        records: list[dict[str, Any]] = streams.get_records(
            ShardIterator=iterator["ShardIterator"], Limit=1000
        )["Records"]
        return records, (records[-1]["dynamodb"]["SequenceNumber"] if records else None)

    def _admits(self, record: Mapping[str, Any]) -> bool:
        return not self.patterns or any(matches(pattern, record) for pattern in self.patterns)

    def _give_up(self, shard: str, batch: list[dict[str, Any]]) -> None:
        """What Lambda sends the on-failure destination: where the batch was, not its records."""
        if self.failure_queue is None:
            return
        info = {
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            }
        }
        aws.client("sqs").send_message(QueueUrl=self.failure_queue, MessageBody=json.dumps(info))

    def _streams(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            # moto serves stream calls on the regional endpoint only, not the account-based one.
            config = Config(account_id_endpoint_mode="disabled")
            self._client = boto3.client("dynamodbstreams", config=config)
        return self._client
