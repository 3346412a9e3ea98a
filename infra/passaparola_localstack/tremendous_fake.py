"""Tremendous's API (v2) as the local stack plays it: the orders the kit places for referrers'
cash, gift cards and donations, held in memory, checked as Tremendous documents
`POST /api/v2/orders` and `GET /api/v2/orders` (the API reference, and the models of its
official client, tremendous-python).

Faithful where a mistake would otherwise reach a real account: the API key as a bearer token;
a JSON body; `payment.funding_source_id`; a reward with a positive `value.denomination`, a
three-letter `currency_code`, `campaign_id` or a non-empty `products`, and a recipient with a
name, and an email for `EMAIL` delivery; errors as `{"errors": {"message", "payload"}}`. And its
idempotency: an order with an `external_id` already used answers 201 with the order first made
when the body is the same, 409 when it is not, and never makes a second order. `fail(n)` makes
the next n calls answer a 500 before they change anything.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

Answer = tuple[int, Any]
# A sandbox key's shape (production keys start PROD_).
KEY = "TEST_passaparola_local"
_DELIVERY = ("EMAIL", "LINK", "PHONE")
_ID = re.compile(r"^[A-Z0-9]{4,64}$")


def _error(status: int, message: str, payload: dict[str, Any] | None = None) -> Answer:
    errors: dict[str, Any] = {"message": message}
    if payload is not None:
        errors["payload"] = payload
    return status, {"errors": errors}


class _Refused(Exception):
    def __init__(self, message: str, payload: dict[str, Any]) -> None:
        self.answer = _error(400, message, payload)


@dataclass
class TremendousFake:
    key: str = KEY
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    _sent: dict[str, Any] = field(default_factory=dict)  # external_id -> the body first sent
    _failing: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, times: int) -> None:
        with self._lock:
            self._failing = times

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        lower = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            if lower.get("authorization") != f"Bearer {self.key}":
                return _error(401, "Unauthorized: the API key is missing or invalid")
            if self._failing > 0:
                self._failing -= 1
                return _error(500, "Internal server error")
            if path != "/api/v2/orders":
                return _error(404, f"Not found: {method} {path}")
            if method == "GET":
                return self._list(query)
            if method != "POST":
                return _error(404, f"Not found: {method} {path}")
            try:
                sent = json.loads(body)
            except ValueError:
                return _error(400, "The request body is not valid JSON")
            try:
                return self._create(sent)
            except _Refused as refused:
                return refused.answer

    def _create(self, sent: Any) -> Answer:
        if not isinstance(sent, dict):
            raise _Refused("The request body must be an order", {})
        external_id = sent.get("external_id")
        if external_id is not None and not isinstance(external_id, str):
            raise _Refused("external_id must be a string", {"external_id": "must be a string"})
        if external_id is not None and external_id in self._sent:
            if self._sent[external_id] != sent:
                return _error(409, f"An order with external_id {external_id} exists with other parameters")
            made = next(o for o in self.orders.values() if o["external_id"] == external_id)
            return 201, {"order": made}
        funding = (
            (sent.get("payment") or {}).get("funding_source_id")
            if isinstance(sent.get("payment"), dict)
            else None
        )
        if not isinstance(funding, str) or not funding:
            raise _Refused(
                "payment.funding_source_id is required", {"payment": {"funding_source_id": "is required"}}
            )
        reward = sent.get("reward")
        if not isinstance(reward, dict):
            raise _Refused("reward is required", {"reward": "is required"})
        value, recipient, delivery = _checked(reward)
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        order_id = f"ORD{len(self.orders) + 1:09d}"
        self.orders[order_id] = {
            "id": order_id, "external_id": external_id, "campaign_id": reward.get("campaign_id"),
            "created_at": now, "status": "EXECUTED", "channel": "API",
            "payment": {
                "subtotal": value["denomination"], "total": value["denomination"], "fees": 0.0,
                "discount": 0.0, "currency_code": value["currency_code"],
            },
            "rewards": [{
                "id": f"RWD{len(self.orders) + 1:09d}", "order_id": order_id, "created_at": now,
                "value": value, "recipient": recipient, "products": reward.get("products"),
                "delivery": {"method": delivery, "status": "SCHEDULED"},
            }],
        }  # fmt: skip
        if external_id is not None:
            self._sent[external_id] = sent
        return 200, {"order": self.orders[order_id]}

    def _list(self, query: str) -> Answer:
        asked = {name: values[-1] for name, values in parse_qs(query).items()}
        found = [o for o in self.orders.values() if asked.get("external_id") in (None, o["external_id"])]
        found.sort(key=lambda o: o["id"], reverse=True)  # newest first, as Tremendous lists them
        return 200, {"orders": found[: int(asked.get("limit", 10))], "total_count": len(found)}

    def objects(self) -> list[dict[str, Any]]:
        """What it holds, in the local shop listing's shape (DESIGN.md, "Rewards in the shop"):
        one payout per order, named by its external_id (the reward's key)."""
        with self._lock:
            return [_listed(order) for order in self.orders.values()]


def _listed(order: dict[str, Any]) -> dict[str, Any]:
    (reward,) = order["rewards"]
    return {
        "platform": "tremendous", "kind": "payout", "email": reward["recipient"].get("email"),
        "amount": f"{Decimal(str(reward['value']['denomination'])):.2f}",
        "currency": reward["value"]["currency_code"], "active": True, "used": False,
        "reward_id": order["external_id"],
    }  # fmt: skip


def _checked(reward: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    campaign, products = reward.get("campaign_id"), reward.get("products")
    if campaign is None and not products:
        raise _Refused(
            "Either products or campaign_id must be specified", {"reward": {"products": "is required"}}
        )
    if campaign is not None and not (isinstance(campaign, str) and _ID.match(campaign)):
        raise _Refused("campaign_id is invalid", {"reward": {"campaign_id": "is invalid"}})
    if products is not None and not (
        isinstance(products, list) and products and all(isinstance(p, str) and _ID.match(p) for p in products)
    ):
        raise _Refused("At least one valid product required", {"reward": {"products": "is invalid"}})
    value = reward.get("value")
    denomination = value.get("denomination") if isinstance(value, dict) else None
    if not isinstance(denomination, int | float) or isinstance(denomination, bool) or denomination <= 0:
        raise _Refused(
            "value.denomination must be a positive number",
            {"reward": {"value": {"denomination": "is invalid"}}},
        )
    currency = value.get("currency_code", "USD") if isinstance(value, dict) else "USD"
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise _Refused(
            "value.currency_code is invalid", {"reward": {"value": {"currency_code": "is invalid"}}}
        )
    delivery = (
        (reward.get("delivery") or {}).get("method", "EMAIL")
        if isinstance(reward.get("delivery"), dict | None)
        else None
    )
    if delivery not in _DELIVERY:
        raise _Refused("delivery.method is invalid", {"reward": {"delivery": {"method": "is invalid"}}})
    recipient = reward.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("name"), str) or not recipient["name"]:
        raise _Refused("recipient.name is required", {"reward": {"recipient": {"name": "is required"}}})
    email = recipient.get("email")
    if delivery == "EMAIL" and not (isinstance(email, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", email)):
        raise _Refused(
            "recipient.email is required for EMAIL delivery",
            {"reward": {"recipient": {"email": "is invalid"}}},
        )
    return {"denomination": float(denomination), "currency_code": currency}, dict(recipient), delivery
