"""POST /reviews/{conversion_id}: the business approves or rejects an order held for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from passaparola.domain.errors import Conflict, NotFound
from passaparola.services import Clock
from passaparola.services.conversions import CONVERSION_ID
from passaparola.services.rewards import send
from passaparola.storage.queue import RewardMessage, RewardQueue
from passaparola.storage.reviews import Decision, Review, ReviewStore, RewardRef
from passaparola.storage.rewards import RewardStore

# Each failed write means the reward moved on meanwhile (a refund voided it): two suffice.
_ATTEMPTS = 3


@dataclass(frozen=True)
class Decided:
    review: Review
    rewards: list[dict[str, str]]


class Reviews:
    def __init__(self, reviews: ReviewStore, rewards: RewardStore, queue: RewardQueue, clock: Clock) -> None:
        self.reviews = reviews
        self.rewards = rewards
        self.queue = queue
        self.clock = clock

    def decide(self, conversion_id: str, decision: Decision, note: str | None, by: str) -> Decided:
        """Record the decision once (a second one gets the first back), then carry out the
        recorded one on the rewards. Carrying it out is conditional on each reward still being
        under review, so a retry after a crash finishes the job and never does it twice."""
        review = self.reviews.get(conversion_id) if CONVERSION_ID.match(conversion_id) else None
        if review is None:
            raise NotFound(f"no order under review has conversion id {conversion_id!r}")
        now = self.clock()
        if review.decision is None:
            review = self.reviews.decide(review, decision, by, now, note)
        approved = review.decision == "approve"
        outcomes = {ref: self._carry_out(ref, approved, now) for ref in review.rewards}
        if approved:
            moved = [ref for ref, (_, moved) in outcomes.items() if moved]
            send(
                self.queue,
                [RewardMessage(owner=r.owner, reward_id=r.reward_id, from_status="pending") for r in moved],
            )
        return Decided(
            review, [{"id": ref.reward_id, "status": status} for ref, (status, _) in outcomes.items()]
        )

    def _carry_out(self, ref: RewardRef, approve: bool, now: datetime) -> tuple[str, bool]:
        """The reward's status after the decision, and whether this call moved it."""
        for _ in range(_ATTEMPTS):
            item = self.rewards.get(ref.owner, ref.reward_id)
            if item is None:  # pragma: no cover - rewards are never deleted
                raise NotFound(f"reward {ref.reward_id} of a review is missing")
            if item["status"] != "review":
                return str(item["status"]), False  # carried out before, or refunded meanwhile
            if approve and self.rewards.approve(ref.owner, ref.reward_id, now):
                return "pending", True
            slot_of = item["code"] if item.get("takes_slot") else None
            if not approve and self.rewards.void(ref.owner, ref.reward_id, now, "review_rejected", slot_of):
                return "void", True
        raise Conflict(f"reward {ref.reward_id} kept changing while the review was carried out; retry")
