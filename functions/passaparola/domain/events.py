"""The events the business is told of, read off the changes of the table's stream.

Services write records, never events: an event is what a change of a record means to the
business (a referrer enrolled, an order held for review, a reward issued). Each stream record
is one change, so an event's id is a hash of that record's id: the same on every redelivery
of the record and on every retry of the delivery, and the receiver's idempotency key.

What the data carries: ids, the campaign, the referral code, amounts as exact decimal strings.
Email addresses only where the business sees them anyway (`GET /referrals`): the referrer's on
`referrer.enrolled`, the friend's on `referral.claimed`. Orders and rewards name no address
(a friend's reward id is the same opaque id `GET /rewards` shows).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from passaparola.domain.admin import public_reward_id
from passaparola.domain.records import Claim, FirstOrder, Order, Referrer, Reward, Visit
from passaparola.domain.vocabulary import EventType

# The reward statuses the business is told of, and the event each is.
_REWARD_EVENTS: Mapping[str, EventType] = {
    "held": "reward.held",
    "issued": "reward.issued",
    "void": "reward.voided",
    "clawed_back": "reward.clawed_back",
}
_ORDER_EVENTS: Mapping[str, EventType] = {
    "queued": "order.attributed",
    "rejected": "order.rejected",
    "review": "order.review",
}

# A failed delivery is tried again after 30 s, 1 min, 2 min... at most an hour apart.
RETRY_CAP_SECONDS = 3600

Record = Referrer | Visit | Claim | FirstOrder | Order | Reward


@dataclass(frozen=True)
class Event:
    id: str  # evt_..., the webhook-id
    type: EventType
    timestamp: datetime
    campaign: str | None  # None: an order no campaign could be told from (an unknown code)
    data: Mapping[str, Any]

    def body(self) -> bytes:
        """What is posted: `{type, timestamp, data}`, the same bytes on every retry."""
        document = {"type": self.type, "timestamp": _stamp(self.timestamp), "data": self.data}
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint: one queue message, so an endpoint that fails is retried
    alone and the others are not sent the event again."""

    endpoint: str
    event_id: str
    body: bytes


def event_id(stream_record_id: str) -> str:
    return "evt_" + hashlib.sha256(stream_record_id.encode()).hexdigest()[:32]


def event_of(old: Record | None, new: Record | None, record_id: str, at: datetime) -> Event | None:
    """The event a change of one record is, or None for a change the business is not told of
    (a click, a first-order marker, a reward's other fields, a record removed)."""
    found = _meaning(old, new)
    if found is None:
        return None
    kind, campaign, data = found
    return Event(event_id(record_id), kind, at, campaign, data)


def retry_delay(receive_count: int, base_seconds: int = 30) -> int:
    """Seconds before the next try, after the `receive_count`-th failed one: doubling, capped."""
    delay: int = base_seconds * 2 ** max(receive_count - 1, 0)
    return min(delay, RETRY_CAP_SECONDS)


def _meaning(old: Record | None, new: Record | None) -> tuple[EventType, str | None, dict[str, Any]] | None:
    if isinstance(new, Referrer) and old is None:
        return "referrer.enrolled", new.campaign, _referrer(new)
    if isinstance(new, Claim) and old is None:
        return "referral.claimed", new.campaign, _claim(new)
    if isinstance(new, Order):
        was = old.status if isinstance(old, Order) else None
        kind = _ORDER_EVENTS.get(new.status)
        if kind is None or was == new.status or new.reason == "unattributed":
            return None  # an order no referral was claimed for is no news to the business
        return kind, new.campaign, _order(new)
    if isinstance(new, Reward):
        before = old.status if isinstance(old, Reward) else None
        kind = _REWARD_EVENTS.get(new.status)
        if kind is None or before == new.status:
            return None
        return kind, new.campaign, _reward(new)
    return None


def _referrer(referrer: Referrer) -> dict[str, Any]:
    return {
        "campaign": referrer.campaign,
        "code": referrer.code,
        "display_name": referrer.display_name,
        "email": referrer.email,
        "lang": referrer.lang,
        "referred_by": referrer.parent_code,
    }


def _claim(claim: Claim) -> dict[str, Any]:
    return {
        "campaign": claim.campaign,
        "claim_id": claim.claim_id,
        "code": claim.code,
        "friend": {"email": claim.email},
        "variant": claim.variant,
    }


def _order(order: Order) -> dict[str, Any]:
    return {
        "campaign": order.campaign,
        "code": order.code,
        "conversion_id": order.conversion_id,
        "order_id": order.order_id,
        "amount": _amount(order.amount),
        "currency": order.currency,
        "via": order.via,
        "reason": order.reason,
    }


def _reward(reward: Reward) -> dict[str, Any]:
    return {
        "campaign": reward.campaign,
        "code": reward.code,
        "reward_id": public_reward_id(reward.ref),
        "role": reward.role,
        "kind": reward.kind,
        "value": _amount(reward.value),
        "currency": reward.currency,
        "order_id": reward.order_id,
        "hold_until": _stamp(reward.hold_until) if reward.hold_until else None,
        "reason": reward.void_reason,
    }


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
