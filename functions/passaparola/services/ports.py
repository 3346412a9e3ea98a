"""What the services need from storage, the queue and the mail, as protocols.

The DynamoDB, SQS and SES adapters in `storage/` fit these; so do the in-memory fakes the
unit tests use (tests/fakes.py). Every write that can lose a race says so in its answer (a
False, or an outcome), exactly as the table's conditions decide it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from passaparola.domain.limits import Window
    from passaparola.domain.records import (
        Claim,
        ClaimOutcome,
        CustomerMarker,
        FirstOrder,
        FriendHistory,
        IssueOutcome,
        Order,
        RecordOutcome,
        Referrer,
        Review,
        Reward,
        RewardMessage,
        RewardRef,
        Ruling,
        Sighting,
        Visit,
        VisitOutcome,
        VoidReason,
    )
    from passaparola.storage.mailer import Email


class ReferrerStore(Protocol):
    def get(self, code: str) -> Referrer | None: ...

    def code_and_rewards(self, code: str) -> tuple[Referrer | None, list[Reward]]: ...

    def enrol(self, draw: Callable[[], Referrer]) -> tuple[Referrer, bool]:
        """The person's referrer in the campaign, or a new one drawn (with a new random code
        each call) until its code is free; and whether it was created."""
        ...

    def note_welcome(self, code: str, now: datetime, not_since: datetime) -> bool:
        """False if a welcome went out after `not_since`; else noted, revoking older stats links."""
        ...


class ClaimStore(Protocol):
    def get(self, email_key: str, campaign: str) -> Claim | None: ...

    def history(self, email_key: str) -> FriendHistory: ...

    def create(
        self, claim: Claim, rewards: Sequence[Reward], *, takes_slot: bool, cap: int | None
    ) -> tuple[ClaimOutcome, Claim | None]:
        """All or nothing: the claim, its code's counters (under the cap if it takes a slot)
        and its rewards. For `exists`, the earlier claim."""
        ...

    def note_reward_emailed(self, claim: Claim, now: datetime, not_since: datetime) -> bool: ...

    def note_refusal_emailed(
        self, email_key: str, campaign: str, now: datetime, not_since: datetime
    ) -> bool: ...


class OrderStore(Protocol):
    def look_up(
        self, order_id: str, markers: Mapping[str, str]
    ) -> tuple[Order | None, dict[str, CustomerMarker]]: ...

    def record(
        self,
        order: Order,
        *,
        first: FirstOrder | None,
        rewards: Sequence[Reward],
        takes_slot: bool,
        cap: int | None,
        sighting: Sighting,
        review: Review | None = None,
    ) -> tuple[RecordOutcome, Order | None]:
        """All or nothing: the order, its first-order fact, its code's counters (under the cap
        if it takes a slot), its rewards, its review and its customer markers. For
        `duplicate`, the order recorded first."""
        ...

    def record_unrewarded(self, order: Order, sighting: Sighting) -> tuple[RecordOutcome, Order | None]: ...

    def mark_refunded(self, order_id: str, now: datetime) -> Order | None:
        """The refunded order, or None (and a note that blocks it) for an order never reported."""
        ...


class RewardLedger(Protocol):
    """Every status change is conditional on the status it starts from."""

    def get(self, ref: RewardRef) -> Reward | None: ...

    def create(self, reward: Reward) -> bool: ...

    def approve(self, ref: RewardRef, now: datetime) -> bool: ...

    def hold(self, ref: RewardRef, hold_until: datetime) -> bool: ...

    def issue(
        self, ref: RewardRef, now: datetime, coupon_code: str | None, counted_for: str | None
    ) -> IssueOutcome: ...

    def claim_notification(self, ref: RewardRef, now: datetime) -> bool: ...

    def release_notification(self, ref: RewardRef) -> None: ...

    def mark_notified(self, ref: RewardRef, now: datetime) -> None: ...

    def void(self, ref: RewardRef, now: datetime, reason: VoidReason, slot_of: str | None) -> bool: ...

    def claw_back(self, ref: RewardRef, now: datetime, reason: VoidReason) -> bool: ...

    def due(self, now: datetime, limit: int) -> Iterator[RewardMessage]: ...


class MarkerStore(Protocol):
    def find(self, hashes: Mapping[str, str]) -> dict[str, CustomerMarker]: ...


class ReviewStore(Protocol):
    def get(self, conversion_id: str) -> Review | None: ...

    def decide(self, review: Review, ruling: Ruling) -> Ruling:
        """The ruling recorded, or the first one if there is one already."""
        ...


class ClickStore(Protocol):
    def record(self, visit: Visit) -> VisitOutcome: ...


class LimitStore(Protocol):
    def hit(self, route: str, client: str, window: Window, limit: int) -> bool: ...


class RewardQueue(Protocol):
    def send(self, messages: Sequence[RewardMessage]) -> None: ...


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...
