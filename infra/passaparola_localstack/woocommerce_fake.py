"""WooCommerce's REST API (v3) as the local stack plays it: the coupons the kit creates, held
in memory, checked as woocommerce/woocommerce-rest-api-docs documents them
(source/includes/wp-api-v3/_coupons.md).

Faithful where a mistake would otherwise reach a real shop: HTTP Basic authentication with the
consumer key and secret; the `/wp-json/wc/v3/` namespace (another version is WordPress's
`rest_no_route`); a JSON body whose fields have the documented types; `code` required, kept in
lower case as WooCommerce keeps it, and refused when taken (`woocommerce_rest_coupon_code_already_exists`);
`?code=` to list by code. `fail(n)` makes the next n calls answer WordPress's 500 before they
change anything.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from passaparola.domain.platforms import woocommerce

Answer = tuple[int, Any]
KEY = "ck_passaparola_local:cs_passaparola_local"
_TYPES = ("percent", "fixed_cart", "fixed_product")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_INTEGERS = ("usage_limit", "usage_limit_per_user", "limit_usage_to_x_items")
_MONEY = ("amount", "minimum_amount", "maximum_amount")
_BOOLEANS = ("individual_use", "free_shipping", "exclude_sale_items")


def _error(status: int, code: str, message: str) -> Answer:
    return status, {"code": code, "message": message, "data": {"status": status}}


def _invalid(name: str, why: str) -> Answer:
    return _error(400, "rest_invalid_param", f"Invalid parameter(s): {name}: {why}")


@dataclass
class WooCommerceFake:
    key: str = KEY
    coupons: dict[int, dict[str, Any]] = field(default_factory=dict)
    _failing: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, times: int) -> None:
        with self._lock:
            self._failing = times

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        """One request under the shop's address (`path` from `/wp-json/...`)."""
        lower = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            if lower.get("authorization") != "Basic " + base64.b64encode(self.key.encode()).decode():
                return _error(401, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to do that.")
            if path != woocommerce.COUPONS_PATH:
                return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
            if self._failing > 0:
                self._failing -= 1
                return _error(
                    500, "internal_server_error", "There has been a critical error on this website."
                )
            if method == "GET":
                code = parse_qs(query).get("code", [None])[0]
                found = [
                    c for c in self.coupons.values() if code is None or c["code"] == (code or "").lower()
                ]
                return 200, found
            if method != "POST":
                return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
            return self._create(body, lower.get("content-type", ""))

    def _create(self, body: bytes, content_type: str) -> Answer:
        if not content_type.startswith("application/json"):
            return _invalid("body", "send JSON")
        try:
            sent = json.loads(body)
        except ValueError:
            return _error(400, "rest_invalid_json", "Invalid JSON body passed.")
        if not isinstance(sent, dict):
            return _invalid("body", "a JSON object")
        code = sent.get("code")
        if not isinstance(code, str) or not code.strip():
            return _error(400, "rest_missing_callback_param", "Missing parameter(s): code")
        problem = _problem(sent)
        if problem:
            return _invalid(*problem)
        code = code.strip().lower()
        if any(c["code"] == code for c in self.coupons.values()):
            return _error(400, woocommerce.CODE_TAKEN, "The coupon code already exists")
        coupon_id = 700 + len(self.coupons) + 1
        coupon = {
            "id": coupon_id, "code": code, "amount": f"{Decimal(sent.get('amount', '0')):.2f}",
            "discount_type": sent.get("discount_type", "fixed_cart"),
            "description": sent.get("description", ""),
            "date_expires_gmt": sent.get("date_expires_gmt"), "usage_count": 0,
            "individual_use": sent.get("individual_use", False), "usage_limit": sent.get("usage_limit"),
            "usage_limit_per_user": sent.get("usage_limit_per_user"),
            "minimum_amount": f"{Decimal(sent.get('minimum_amount', '0')):.2f}",
            "email_restrictions": sent.get("email_restrictions", []), "used_by": [],
            "meta_data": [{"id": i + 1, **m} for i, m in enumerate(sent.get("meta_data", []))],
        }  # fmt: skip
        self.coupons[coupon_id] = coupon
        return 201, coupon

    def objects(self) -> list[dict[str, Any]]:
        """What it holds, in the local shop listing's shape (DESIGN.md, "Rewards in the shop")."""
        with self._lock:
            return [_listed(coupon) for coupon in self.coupons.values()]


def _problem(sent: dict[str, Any]) -> tuple[str, str] | None:
    if sent.get("discount_type", "fixed_cart") not in _TYPES:
        return "discount_type", f"discount_type is not one of {', '.join(_TYPES)}."
    for name in _MONEY:
        if name in sent and not _numeric(sent[name]):
            return name, f"{name} is not of type string (a number)."
    for name in _INTEGERS:
        if name in sent and (not isinstance(sent[name], int) or isinstance(sent[name], bool)):
            return name, f"{name} is not of type integer."
    for name in _BOOLEANS:
        if name in sent and not isinstance(sent[name], bool):
            return name, f"{name} is not of type boolean."
    emails = sent.get("email_restrictions", [])
    if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
        return "email_restrictions", "email_restrictions is not of type array (of emails)."
    for name in ("date_expires", "date_expires_gmt"):
        if name in sent and not (isinstance(sent[name], str) and _DATE.match(sent[name])):
            return name, f"{name} is not a date (YYYY-MM-DDTHH:MM:SS)."
    meta = sent.get("meta_data", [])
    if not isinstance(meta, list) or not all(
        isinstance(m, dict) and isinstance(m.get("key"), str) for m in meta
    ):
        return "meta_data", "meta_data is not of type array (of {key, value})."
    return None


def _numeric(value: Any) -> bool:
    """The documented type of an amount: a string, "always numeric"."""
    if not isinstance(value, str):
        return False
    try:
        return Decimal(value).is_finite()
    except InvalidOperation:
        return False


def _listed(coupon: dict[str, Any]) -> dict[str, Any]:
    percent = coupon["discount_type"] == "percent"
    worth = (
        {"percent": f"{Decimal(coupon['amount']).normalize():f}"} if percent else {"amount": coupon["amount"]}
    )
    meta = {m["key"]: m.get("value") for m in coupon["meta_data"]}
    expires = coupon["date_expires_gmt"]
    listed = {
        "platform": "woocommerce", "kind": "coupon", "code": coupon["code"], **worth,
        "min_subtotal": coupon["minimum_amount"], "usage_limit": coupon["usage_limit"],
        "expires_at": f"{expires}+00:00" if expires else None, "active": True,
        "used": coupon["usage_count"] > 0, "reward_id": meta.get(woocommerce.REWARD_META),
    }  # fmt: skip
    if coupon["email_restrictions"]:
        listed["email"] = coupon["email_restrictions"][0]
    return listed
