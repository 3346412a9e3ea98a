"""Orders reported by the store: each recorded exactly once, with the rewards it earns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from passaparola.storage import keys, reviews
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, stamp
from passaparola.storage.markers import Marker, Sighting, add_sighting, marker_keys, markers_among

RecordOutcome = Literal["recorded", "duplicate", "not_first", "cap_reached"]


class ConversionStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get_order(self, order_id: str) -> Item | None:
        return self.table.get(keys.order(order_id))

    def look_up(self, order_id: str, markers: Mapping[str, str]) -> tuple[Item | None, dict[str, Marker]]:
        """The order if it was recorded already, and which of its customer markers exist, in
        one read: what every delivery of an order needs first."""
        order_key = keys.order(order_id)
        found = self.table.get_many([order_key, *marker_keys(markers)])
        order = next((item for item in found if item["pk"] == order_key["pk"]), None)
        return order, markers_among(found, markers)

    def record(
        self,
        order: Item,
        *,
        code: str,
        first_of: tuple[str, str] | None,
        rewards: Sequence[Item],
        takes_slot: bool,
        cap: int | None,
        sighting: Sighting,
        review: reviews.Review | None = None,
    ) -> tuple[RecordOutcome, Item | None]:
        """Record an attributed order, its rewards and its customer markers in one transaction.

        `first_of` is (friend email key, campaign) when this is the friend's first order in the
        campaign: a marker item makes that true for exactly one order even when two arrive at
        once. `takes_slot` counts the referral against the referrer's cap, under a condition.
        `review` holds the order for the business's decision.
        """
        expression = "ADD conversions :one" if first_of else "ADD repeat_orders :one"
        values: dict[str, object] = {":one": 1}
        condition = None
        if takes_slot:
            expression += ", qualified :one"
            if cap is not None:
                condition = "attribute_not_exists(qualified) OR qualified < :cap"
                values[":cap"] = cap
        transaction = self.table.transaction().put("order", order)
        if first_of:
            transaction.put(
                "first",
                keys.converted(*first_of)
                | {"order_id": order["order_id"], "at": order["created_at"], "code": code},
            )
        transaction.update("code", keys.code(code), expression, values, condition)
        for index, reward in enumerate(rewards):
            transaction.put(f"reward{index}", reward)
        if review is not None:
            transaction.put("review", reviews.as_item(review))
        add_sighting(transaction, sighting)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("order"):
                return "duplicate", cancelled.items["order"] or self.get_order(order["order_id"])
            if cancelled.failed("first"):
                return "not_first", None
            if cancelled.failed("code"):
                return "cap_reached", None
            raise
        return "recorded", None

    def record_unrewarded(self, order: Item, sighting: Sighting) -> tuple[RecordOutcome, Item | None]:
        """Record an order that earns nothing (rejected or not referred), once, with its markers."""
        transaction = add_sighting(self.table.transaction().put("order", order), sighting)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("order"):
                return "duplicate", cancelled.items["order"] or self.get_order(order["order_id"])
            raise
        return "recorded", None

    def mark_refunded(self, order_id: str, now: datetime) -> Item | None:
        """Flag the order refunded and return it; None if the store never reported it.

        A refund for an unknown order leaves a marker, so a conversion that arrives late
        for an already refunded order is refused instead of paying out.
        """
        for _ in range(2):
            try:
                return self.table.update(
                    keys.order(order_id),
                    "SET refunded_at = if_not_exists(refunded_at, :now)",
                    {":now": stamp(now)},
                    condition="attribute_exists(pk)",
                    returning="ALL_NEW",
                )
            except ConditionFailed:
                pass
            marker = keys.order(order_id) | {
                "order_id": order_id,
                "status": "refunded",
                "refunded_at": stamp(now),
            }
            try:
                self.table.put(marker, condition="attribute_not_exists(pk)")
            except ConditionFailed:
                continue  # the conversion landed in between: flag it instead
            return None
        return self.get_order(order_id)
