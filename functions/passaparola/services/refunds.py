"""POST /refunds: a refunded order gives back what it earned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from passaparola.domain.errors import Conflict
from passaparola.services import Clock
from passaparola.storage.conversions import ConversionStore
from passaparola.storage.rewards import RewardStore

# Each failed write means the reward moved on (pending -> held -> issued): three suffice.
_ATTEMPTS = 4


@dataclass(frozen=True)
class Refunded:
    order_id: str
    status: str  # "refunded" for a known order, "noted" for one the store never reported
    rewards: list[dict[str, str]] = field(default_factory=list)


class Refunds:
    def __init__(self, conversions: ConversionStore, rewards: RewardStore, clock: Clock) -> None:
        self.conversions = conversions
        self.rewards = rewards
        self.clock = clock

    def refund(self, order_id: str) -> Refunded:
        """Void what has not been issued yet; record a clawback for what has.

        Run twice, it changes nothing more: each step is conditional on the reward's status.
        """
        now = self.clock()
        order = self.conversions.mark_refunded(order_id, now)
        if order is None:
            return Refunded(order_id, "noted")
        results = []
        for reference in order.get("rewards", []):
            owner, reward_id = reference.split("|", 1)
            status = self._take_back(owner, reward_id, now)
            if status is not None:
                results.append({"id": reward_id, "status": status})
        return Refunded(order_id, "refunded", results)

    def _take_back(self, owner: str, reward_id: str, now: datetime) -> str | None:
        """Void the reward, or claw it back if it has been issued. A worker may issue it
        between our read and our write: then the write fails, and we look again."""
        for _ in range(_ATTEMPTS):
            item = self.rewards.get(owner, reward_id)
            if item is None:
                return None
            status = str(item["status"])
            if status in ("pending", "held", "review"):
                slot_of = item["code"] if item.get("takes_slot") else None
                if self.rewards.void(owner, reward_id, now, "refunded", slot_of):
                    return "void"
            elif status == "issued":
                if self.rewards.claw_back(owner, reward_id, now, "refunded"):
                    return "clawed_back"
            else:
                return status  # void or clawed back already: a refund delivered twice
        raise Conflict(f"reward {reward_id} kept changing while it was refunded; retry")
