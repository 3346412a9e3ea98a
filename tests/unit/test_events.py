"""Which change of the table is which event the business is told of (domain.events), from old
and new images alone; the body, the id and the retry delays."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from passaparola.domain.admin import public_reward_id
from passaparola.domain.campaign import Credit
from passaparola.domain.events import event_id, event_of, retry_delay
from passaparola.domain.records import Claim, FirstOrder, Order, Owner, Referrer, Reward, Visit
from passaparola.domain.signatures import sign
from passaparola.domain.vocabulary import EVENT_TYPES
from passaparola_localstack.receiver import EventReceiver
from tests.support import WEBHOOK_SECRET

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
CODE = "SPRING-BCDFGHJKM"
RECORD = "4a2c0c3e9f1b4d6e8a0b2c4d6e8f0a1b"  # a stream record's eventID


def referrer() -> Referrer:
    return Referrer(CODE, "spring", "anna@example.com", "anna@example.com", "en", NOW, display_name="Anna")


def claim() -> Claim:
    return Claim("marco@example.com", "spring", "cl_1", CODE, "marco@example.com", "en", NOW, variant="b")


def order(status: str = "queued", reason: str | None = None) -> Order:
    return Order(
        "1001",
        status,  # type: ignore[arg-type]
        "cv_1",
        amount=Decimal("49.90"),
        currency="EUR",
        created_at=NOW,
        reason=reason,  # type: ignore[arg-type]
        campaign="spring",
        code=CODE,
        via="claim",
    )


def reward(status: str = "pending") -> Reward:
    return Reward(
        owner=Owner.referrer(CODE),
        reward_id="order-1001",
        role="referrer",
        spec=Credit(type="credit", amount=Decimal(10), currency="EUR"),
        value=Decimal("10.00"),
        currency="EUR",
        hold_days=14,
        campaign="spring",
        code=CODE,
        status=status,  # type: ignore[arg-type]
        created_at=NOW,
        order_id="1001",
    )


def kind(old: object, new: object) -> str | None:
    event = event_of(old, new, RECORD, NOW)  # type: ignore[arg-type]
    return event.type if event else None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, referrer(), "referrer.enrolled"),
        (None, claim(), "referral.claimed"),
        (None, order("queued"), "order.attributed"),
        (None, order("rejected", "self_referral"), "order.rejected"),
        (None, order("review", "shared_address"), "order.review"),
        (order("review", "shared_address"), order("queued", "shared_address"), "order.attributed"),
        (order("review", "shared_address"), order("rejected", "shared_address"), "order.rejected"),
        (reward("pending"), reward("held"), "reward.held"),
        (reward("held"), reward("issued"), "reward.issued"),
        (reward("pending"), reward("issued"), "reward.issued"),
        (reward("held"), reward("void"), "reward.voided"),
        (reward("issued"), reward("clawed_back"), "reward.clawed_back"),
    ],
    ids=lambda v: getattr(v, "status", None) or type(v).__name__ if not isinstance(v, str) else v,
)
def test_each_change_that_means_something_to_the_business_is_its_event(old, new, expected) -> None:
    assert kind(old, new) == expected


def test_every_event_type_is_produced_by_some_change() -> None:
    produced = {
        kind(None, referrer()),
        kind(None, claim()),
        kind(None, order("queued")),
        kind(None, order("rejected", "cap_reached")),
        kind(None, order("review", "shared_payment")),
        kind(reward("pending"), reward("held")),
        kind(reward("held"), reward("issued")),
        kind(reward("held"), reward("void")),
        kind(reward("issued"), reward("clawed_back")),
    }
    assert produced == set(EVENT_TYPES)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (referrer(), replace(referrer(), claims=3)),  # the counters moved
        (None, Visit(CODE, "spring", NOW.date(), "v1", NOW, "a")),
        (None, FirstOrder("marco@example.com", "spring", "1001", NOW, CODE)),
        (None, reward("pending")),  # queued, nothing yet to tell
        (None, reward("review")),  # its order's order.review says it
        (reward("held"), replace(reward("held"), notified_at=NOW)),  # same status
        (order("queued"), replace(order("queued"), refunded_at=NOW)),
        (order("queued"), order("refunded")),  # the rewards' voided or clawed_back say it
        (None, order("refunded")),  # a refund that came before its order
        (None, order("rejected", "unattributed")),  # an order no referral was claimed for
        (reward("issued"), None),  # removed
    ],
)
def test_other_changes_are_no_event(old, new) -> None:
    assert kind(old, new) is None


def test_the_body_carries_ids_campaign_code_and_exact_amounts_and_no_email_on_orders_and_rewards() -> None:
    attributed = event_of(None, order("queued"), RECORD, NOW)
    issued = event_of(reward("held"), replace(reward("issued"), issued_at=NOW), RECORD, NOW)
    assert attributed is not None and issued is not None
    body = json.loads(attributed.body())
    assert body == {
        "type": "order.attributed",
        "timestamp": "2026-12-01T09:30:00Z",
        "data": {
            "campaign": "spring",
            "code": CODE,
            "conversion_id": "cv_1",
            "order_id": "1001",
            "amount": "49.90",
            "currency": "EUR",
            "via": "claim",
            "reason": None,
        },
    }
    data = json.loads(issued.body())["data"]
    assert data["value"] == "10.00"
    # the id POST /rewards/{id}/fulfilment takes
    assert data["reward_id"] == public_reward_id(reward("issued").ref)
    assert "@" not in (attributed.body() + issued.body()).decode()


def test_enrolment_and_claim_carry_the_addresses_the_business_sees_in_its_referrals() -> None:
    enrolled = event_of(None, referrer(), RECORD, NOW)
    claimed = event_of(None, claim(), RECORD, NOW)
    assert enrolled is not None and claimed is not None
    assert enrolled.data["email"] == "anna@example.com"
    assert claimed.data["friend"] == {"email": "marco@example.com"}
    assert claimed.data["code"] == CODE


def test_an_events_id_is_a_hash_of_its_stream_record_the_same_every_time() -> None:
    first = event_of(None, claim(), RECORD, NOW)
    again = event_of(None, claim(), RECORD, NOW + timedelta(minutes=5))
    other = event_of(None, claim(), "another-record", NOW)
    assert first is not None and again is not None and other is not None
    assert first.id == again.id == event_id(RECORD)
    assert first.id.startswith("evt_") and RECORD not in first.id
    assert other.id != first.id


def test_retries_wait_twice_as_long_each_time_up_to_an_hour() -> None:
    assert [retry_delay(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert retry_delay(1, base_seconds=0) == 0


def test_a_tampered_event_fails_the_receivers_check() -> None:
    event = event_of(None, order("queued"), RECORD, NOW)
    assert event is not None
    receiver = EventReceiver({"books": WEBHOOK_SECRET})
    headers = sign(event.body(), event.id, datetime.now(UTC), WEBHOOK_SECRET)
    tampered = event.body().replace(b'"49.90"', b'"4990.00"')
    assert receiver.receive("books", tampered, headers)[0] == 400
    assert receiver.receive("books", event.body(), headers)[0] == 204
    assert receiver.listing() == [
        {"id": event.id, "endpoint": "books", "type": "order.attributed", "verified": True, "attempts": 2}
    ]


def test_an_event_signed_with_another_endpoints_secret_fails_the_check() -> None:
    event = event_of(None, claim(), RECORD, NOW)
    assert event is not None
    receiver = EventReceiver({"books": WEBHOOK_SECRET, "payouts": "whsec_" + "A" * 32})
    headers = sign(event.body(), event.id, datetime.now(UTC), WEBHOOK_SECRET)
    assert receiver.receive("payouts", event.body(), headers)[0] == 400
    assert receiver.listing()[0]["verified"] is False
