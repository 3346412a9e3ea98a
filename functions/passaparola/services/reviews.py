"""POST /reviews/{conversion_id}: the business approves or rejects an order held for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from passaparola.domain.errors import Conflict, NotFound
from passaparola.domain.records import Review, RewardMessage, RewardRef, Ruling
from passaparola.domain.vocabulary import Decision, RewardStatus
from passaparola.services import Clock
from passaparola.services.conversions import CONVERSION_ID
from passaparola.services.ports import ReviewStore, RewardLedger, RewardQueue
from passaparola.services.rewards import send

# Each failed write means the reward moved on meanwhile (a refund voided it): two suffice.
_ATTEMPTS = 3


@dataclass(frozen=True)
class Decided:
    review: Review
    ruling: Ruling  # the first one made, whichever call made it
    rewards: dict[str, RewardStatus]  # by reward id, after the decision


@dataclass(frozen=True)
class Reviews:
    reviews: ReviewStore
    ledger: RewardLedger
    queue: RewardQueue
    clock: Clock

    def decide(self, conversion_id: str, decision: Decision, note: str | None, by: str) -> Decided:
        """Record the decision once (a second one gets the first back), then carry out the
        recorded one on the rewards. Carrying it out is conditional on each reward still being
        under review, so a retry after a crash finishes the job and never does it twice."""
        review = self.reviews.get(conversion_id) if CONVERSION_ID.match(conversion_id) else None
        if review is None:
            raise NotFound(f"no order under review has conversion id {conversion_id!r}")
        now = self.clock()
        ruling = review.ruling or self.reviews.decide(review, Ruling(decision, by, now, note))
        approved = ruling.decision == "approve"
        outcomes = {ref: self._carry_out(ref, approved, now) for ref in review.rewards}
        if approved:
            moved = [ref for ref, (_, moved) in outcomes.items() if moved]
            send(self.queue, [RewardMessage(ref.owner, ref.reward_id, "pending") for ref in moved])
        return Decided(review, ruling, {ref.reward_id: status for ref, (status, _) in outcomes.items()})

    def _carry_out(self, ref: RewardRef, approve: bool, now: datetime) -> tuple[RewardStatus, bool]:
        """The reward's status after the decision, and whether this call moved it."""
        for _ in range(_ATTEMPTS):
            reward = self.ledger.get(ref)
            if reward is None:  # pragma: no cover - rewards are never deleted
                raise NotFound(f"reward {ref.reward_id} of a review is missing")
            if reward.status != "review":
                return reward.status, False  # carried out before, or refunded meanwhile
            if approve and self.ledger.approve(ref, now):
                return "pending", True
            slot_of = reward.code if reward.takes_slot else None
            if not approve and self.ledger.void(ref, now, "review_rejected", slot_of):
                return "void", True
        raise Conflict(f"reward {ref.reward_id} kept changing while the review was carried out; retry")
