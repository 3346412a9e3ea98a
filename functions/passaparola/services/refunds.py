"""POST /refunds: a refunded order gives back what it earned."""

from __future__ import annotations

from dataclasses import dataclass, field

from passaparola.services import Clock
from passaparola.storage.conversions import ConversionStore
from passaparola.storage.rewards import RewardStore


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
            item = self.rewards.get(owner, reward_id)
            if item is None:
                continue
            if item["status"] in ("pending", "held"):
                slot_of = item["code"] if item.get("takes_slot") else None
                self.rewards.void(owner, reward_id, now, "refunded", slot_of)
            elif item["status"] == "issued":
                self.rewards.claw_back(owner, reward_id, now, "refunded")
            current = self.rewards.get(owner, reward_id) or item
            results.append({"id": reward_id, "status": current["status"]})
        return Refunded(order_id, "refunded", results)
