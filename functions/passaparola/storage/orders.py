"""Orders reported by the shop: each recorded exactly once, with the rewards it earns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime

from passaparola.domain.records import (
    Conversion,
    CustomerMarker,
    Notice,
    Order,
    RecordOutcome,
    Sighting,
    ask_id,
)
from passaparola.storage import keys
from passaparola.storage.claims import first_order_item
from passaparola.storage.dynamo import (
    Cancelled,
    ConditionFailed,
    Item,
    Table,
    Transaction,
    expires,
    expiry,
    stamp,
    stamped,
)
from passaparola.storage.markers import add_sighting, marker_keys, markers_among
from passaparola.storage.notices import notice_item
from passaparola.storage.reviews import review_item
from passaparola.storage.rewards import reward_item


def _item(order: Order) -> Item:
    return keys.order(order.order_id) | {
        "order_id": order.order_id,
        "conversion_id": order.conversion_id,
        "status": order.status,
        "reason": order.reason,
        "amount": order.amount,
        "currency": order.currency,
        "created_at": stamp(order.created_at) if order.created_at else None,
        "campaign": order.campaign,
        "code": order.code,
        "via": order.via,
        "shadow": list(order.shadow) or None,
        "rewards": [keys.reward_reference(ref) for ref in order.rewards] or None,
        "expires_at": expiry(order.expires_at) if order.expires_at else None,
        "refunded_at": stamp(order.refunded_at) if order.refunded_at else None,
    }


def order_of(item: Item) -> Order:
    return Order(
        order_id=item["order_id"],
        status=item["status"],
        conversion_id=item.get("conversion_id"),
        amount=item.get("amount"),
        currency=item.get("currency"),
        created_at=stamped(item, "created_at"),
        reason=item.get("reason"),
        campaign=item.get("campaign"),
        code=item.get("code"),
        via=item.get("via"),
        shadow=tuple(item.get("shadow", ())),
        rewards=tuple(keys.parse_reward_reference(ref) for ref in item.get("rewards", ())),
        expires_at=expires(item),
        refunded_at=stamped(item, "refunded_at"),
    )


def _ask(transaction: Transaction, ask: Notice | None) -> Transaction:
    """Once per buyer and campaign, ever: the condition stops a second order's ask (the read
    before found none, but another order of the same buyer wrote one since)."""
    return transaction.put("ask", notice_item(ask)) if ask is not None else transaction


class OrderStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, order_id: str) -> Order | None:
        return self.table.read(keys.order(order_id), order_of)

    def look_up(
        self,
        order_id: str,
        markers: Mapping[str, str],
        buyer: str | None = None,
        asking: Collection[str] = (),
    ) -> tuple[Order | None, dict[str, CustomerMarker], frozenset[str]]:
        """The order if it was recorded already, which of its customer markers exist, and in
        which of the `asking` campaigns the buyer (an email key) is enrolled or was asked to
        join already, in one read: what every delivery of an order needs first."""
        order_key = keys.order(order_id)
        settling = {c: (keys.enrolment(c, buyer), keys.notice(ask_id(c, buyer))) for c in asking if buyer}
        extra = [key for pair in settling.values() for key in pair]
        found = self.table.get_many([order_key, *marker_keys(markers), *extra])
        order = next((order_of(item) for item in found if item["pk"] == order_key["pk"]), None)
        present = {(item["pk"], item["sk"]) for item in found}
        asked = frozenset(c for c, two in settling.items() if any((k["pk"], k["sk"]) in present for k in two))
        return order, markers_among(found, markers), asked

    def record(self, conversion: Conversion) -> tuple[RecordOutcome, Order | None]:
        """Record an attributed order, its rewards and its customer markers in one transaction.

        The first-order item makes `first` true for exactly one order even when two arrive at
        once; a referral that takes a slot counts against the referrer's cap, under a
        condition. The `orders` and revenue counters are rolled up from the stream. Returns
        the outcome and, for a duplicate, the order recorded first.
        """
        order, first = conversion.order, conversion.first
        if order.code is None:
            raise ValueError("an order that earns rewards is attributed to a referral code")
        transaction = self.table.transaction().put("order", _item(order))
        if first:
            transaction.put("first", first_order_item(first))
        if conversion.takes_slot:
            values: dict[str, object] = {":one": 1}
            condition = None
            if conversion.cap is not None:
                condition = "attribute_not_exists(qualified) OR qualified < :cap"
                values[":cap"] = conversion.cap
            transaction.update("code", keys.code(order.code), "ADD qualified :one", values, condition)
        for index, reward in enumerate(conversion.rewards):
            transaction.put(f"reward{index}", reward_item(reward))
        if conversion.review is not None:
            transaction.put("review", review_item(conversion.review))
        # Without a condition: the order's own decides that this is the first, and only, time.
        for index, notice in enumerate(conversion.notices):
            transaction.put(f"notice{index}", notice_item(notice), condition=None)
        _ask(transaction, conversion.ask)
        add_sighting(transaction, conversion.sighting)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("order"):
                return "duplicate", self._first_recorded(cancelled.items["order"], order.order_id)
            if cancelled.failed("first"):
                return "not_first", None
            if cancelled.failed("code"):
                return "cap_reached", None
            if cancelled.failed("ask"):  # another order of the buyer's asked first: it alone
                return self.record(replace(conversion, ask=None))
            raise
        return "recorded", None

    def record_unrewarded(
        self, order: Order, sighting: Sighting, ask: Notice | None = None
    ) -> tuple[RecordOutcome, Order | None]:
        """Record an order that earns nothing (rejected or not referred), once, with its markers
        and the invitation to join it brings, if any."""
        transaction = add_sighting(_ask(self.table.transaction().put("order", _item(order)), ask), sighting)
        try:
            transaction.run()
        except Cancelled as cancelled:
            if cancelled.failed("order"):
                return "duplicate", self._first_recorded(cancelled.items["order"], order.order_id)
            if cancelled.failed("ask"):
                return self.record_unrewarded(order, sighting)
            raise
        return "recorded", None

    def _first_recorded(self, old: Item | None, order_id: str) -> Order | None:
        return order_of(old) if old else self.get(order_id)

    def mark_refunded(self, order_id: str, now: datetime) -> Order | None:
        """Flag the order refunded and return it; None if the shop never reported it.

        A refund for an unknown order leaves a marker, so a conversion that arrives late
        for an already refunded order is refused instead of paying out.
        """
        for _ in range(2):
            try:
                item = self.table.update(
                    keys.order(order_id),
                    "SET refunded_at = if_not_exists(refunded_at, :now)",
                    {":now": stamp(now)},
                    condition="attribute_exists(pk)",
                    returning="ALL_NEW",
                )
            except ConditionFailed:
                pass
            else:
                return order_of(item)
            marker = Order(order_id=order_id, status="refunded", refunded_at=now)
            try:
                self.table.put(_item(marker), condition="attribute_not_exists(pk)")
            except ConditionFailed:
                continue  # the conversion landed in between: flag it instead
            return None
        return self.get(order_id)
