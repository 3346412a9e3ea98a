"""POST /refunds: a refunded order gives back what it earned, in the shop too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from passaparola.domain.errors import Conflict
from passaparola.domain.records import RewardMessage, RewardRef
from passaparola.domain.vocabulary import RefundStatus, RewardStatus
from passaparola.services import Clock
from passaparola.services.ports import OrderStore, RewardLedger, RewardQueue
from passaparola.services.rewards import send

# Each failed write means the reward moved on (pending -> held -> issued): three suffice.
_ATTEMPTS = 4


@dataclass(frozen=True)
class Refunded:
    order_id: str
    status: RefundStatus
    rewards: dict[str, RewardStatus] = field(default_factory=dict)  # by reward id, after the refund


@dataclass(frozen=True)
class Refunds:
    orders: OrderStore
    ledger: RewardLedger
    clock: Clock
    queue: RewardQueue
    # Whether the brand has a shop, where an issued reward's code may be live.
    shop: bool = False

    def refund(self, order_id: str) -> Refunded:
        """Void what has not been issued yet; record a clawback for what has, and, for a code the
        shop may hold, queue its deactivation there (the reward worker asks the shop, and the
        queue retries it while the shop is down).

        Run twice, it changes nothing more: each step is conditional on the reward's status.
        """
        now = self.clock()
        order = self.orders.mark_refunded(order_id, now)
        if order is None:
            return Refunded(order_id, "noted")
        results = {}
        for ref in order.rewards:
            status = self._take_back(ref, now)
            if status is not None:
                results[ref.reward_id] = status
        return Refunded(order_id, "refunded", results)

    def _take_back(self, ref: RewardRef, now: datetime) -> RewardStatus | None:
        """Void the reward, or claw it back if it has been issued. A worker may issue it
        between our read and our write: then the write fails, and we look again."""
        for _ in range(_ATTEMPTS):
            reward = self.ledger.get(ref)
            if reward is None:
                return None
            if reward.status in ("pending", "held", "review"):
                slot_of = reward.code if reward.takes_slot else None
                if self.ledger.void(ref, now, "refunded", slot_of):
                    return "void"
            elif reward.status == "issued":
                revoke = self.shop and reward.coupon_code is not None
                if self.ledger.claw_back(ref, now, "refunded", revoke=revoke):
                    if revoke:
                        send(self.queue, [RewardMessage(ref.owner, ref.reward_id, "clawed_back")])
                    return "clawed_back"
            else:
                return reward.status  # void or clawed back already: a refund delivered twice
        raise Conflict(f"reward {ref.reward_id} kept changing while it was refunded; retry")
