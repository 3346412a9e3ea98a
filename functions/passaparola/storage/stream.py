"""The table's stream, as the event source mapping delivers it: each record as the change of
one typed record (its old and new image), in the order of its sequence number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from passaparola.domain.counters import Change, Counted, StreamChange
from passaparola.domain.events import Event, event_of
from passaparola.storage import keys
from passaparola.storage.claims import claim_of, first_order_of
from passaparola.storage.clicks import visit_of
from passaparola.storage.dynamo import Item, from_dynamo
from passaparola.storage.orders import order_of
from passaparola.storage.referrers import referrer_of
from passaparola.storage.rekeying import is_rekeying
from passaparola.storage.rewards import reward_of

logger = Logger(child=True)


def batch(records: Sequence[Mapping[str, Any]]) -> tuple[str, list[StreamChange]]:
    """The batch's name (its first record's event id, the same each time the batch is handed
    over again) and its changes. A record of no counted kind, or one that cannot be read, is
    left out: one bad item must not hold up every count behind it."""
    changes = []
    for record in records:
        stream = record["dynamodb"]
        try:
            if _rekeying(stream):
                continue
            old, new = _typed(stream.get("OldImage")), _typed(stream.get("NewImage"))
        except (KeyError, ValueError, TypeError):
            logger.exception("stream record not counted", extra={"keys": stream.get("Keys")})
            continue
        if old is not None or new is not None:
            changes.append(StreamChange(int(stream["SequenceNumber"]), Change(old, new)))
    return (records[0]["eventID"] if records else ""), changes


def events(records: Sequence[Mapping[str, Any]]) -> list[Event]:
    """The events the records' changes are, in stream order. A record that cannot be read is
    left out, logged, as the counters leave it out."""
    found = []
    for record in records:
        stream = record["dynamodb"]
        try:
            if _rekeying(stream):
                continue
            old, new = _typed(stream.get("OldImage")), _typed(stream.get("NewImage"))
        except (KeyError, ValueError, TypeError):
            logger.exception("stream record not published", extra={"keys": stream.get("Keys")})
            continue
        at = datetime.fromtimestamp(float(stream.get("ApproximateCreationDateTime", 0)), UTC)
        event = event_of(old, new, record["eventID"], at)
        if event is not None:
            found.append(event)
    return found


def _rekeying(stream: Mapping[str, Any]) -> bool:
    """The upgrade's re-keying moves items (storage/rekeying.py): no news, nothing to count."""
    old, new = stream.get("OldImage"), stream.get("NewImage")
    return is_rekeying(from_dynamo(old) if old else None, from_dynamo(new) if new else None)


def _typed(image: Mapping[str, Any] | None) -> Counted | None:
    if not image:
        return None
    item: Item = from_dynamo(image)
    pk, sk = item["pk"], item["sk"]
    if pk.startswith(keys.VISIT):
        return visit_of(item)
    if pk.startswith(keys.ORDER):
        return order_of(item)
    if sk == "CODE":
        return referrer_of(item)
    if sk.startswith(keys.CLAIM):
        return claim_of(item)
    if sk.startswith(keys.CONVERTED):
        return first_order_of(keys.friend_of(pk), item)
    if sk.startswith(keys.REWARD):
        return reward_of(item)
    return None
