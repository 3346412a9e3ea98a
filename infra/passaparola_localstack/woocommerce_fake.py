"""WooCommerce's REST API (v3) as the local stack plays it: the coupons the kit creates, held
in memory, checked as woocommerce/woocommerce-rest-api-docs documents them
(source/includes/wp-api-v3/_coupons.md).

Faithful where a mistake would otherwise reach a real shop: HTTP Basic authentication with the
consumer key and secret; the `/wp-json/wc/v3/` namespace (another version is WordPress's
`rest_no_route`); a JSON body whose fields have the documented types; `code` required, kept in
lower case as WooCommerce keeps it, and refused when taken (`woocommerce_rest_coupon_code_already_exists`);
`?code=` to list by code; `PUT /coupons/<id>` to change one (its fields checked as on
creation; the code and the usage count are not changed there). `fail(n)` makes the next n calls
answer WordPress's 500 before they change anything.

Its checkout (checkout.py) applies a coupon as WC_Coupon validates one, refusing with
WooCommerce's own error names: E_WC_COUPON_NOT_EXIST, E_WC_COUPON_EXPIRED (a deactivated coupon
is one that expired), E_WC_COUPON_USAGE_LIMIT_REACHED, E_WC_COUPON_MIN_SPEND_LIMIT_NOT_MET and,
for another buyer's coupon, E_WC_COUPON_NOT_YOURS_REMOVED.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from passaparola.domain.platforms import woocommerce
from passaparola_localstack.checkout import Sale, Till

Answer = tuple[int, Any]
KEY = "ck_passaparola_local:cs_passaparola_local"
_TYPES = ("percent", "fixed_cart", "fixed_product")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_INTEGERS = ("usage_limit", "usage_limit_per_user", "limit_usage_to_x_items")
_MONEY = ("amount", "minimum_amount", "maximum_amount")
_BOOLEANS = ("individual_use", "free_shipping", "exclude_sale_items")
_ONE = re.compile(r"^" + re.escape(woocommerce.COUPONS_PATH) + r"/([0-9]+)$")
_NO_ROUTE = ("rest_no_route", "No route was found matching the URL and request method.")


def _error(status: int, code: str, message: str) -> Answer:
    return status, {"code": code, "message": message, "data": {"status": status}}


def _invalid(name: str, why: str) -> Answer:
    return _error(400, "rest_invalid_param", f"Invalid parameter(s): {name}: {why}")


@dataclass
class WooCommerceFake:
    key: str = KEY
    coupons: dict[int, dict[str, Any]] = field(default_factory=dict)
    till: Till = field(default_factory=lambda: Till("woocommerce"))
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
            one = _ONE.match(path)
            if path != woocommerce.COUPONS_PATH and not one:
                return _error(404, *_NO_ROUTE)
            if self._failing > 0:
                self._failing -= 1
                return _error(
                    500, "internal_server_error", "There has been a critical error on this website."
                )
            if one:
                return self._one(method, int(one[1]), body, lower.get("content-type", ""))
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

    def _one(self, method: str, coupon_id: int, body: bytes, content_type: str) -> Answer:
        coupon = self.coupons.get(coupon_id)
        if coupon is None:
            return _error(404, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.")
        if method == "GET":
            return 200, coupon
        if method not in ("PUT", "PATCH", "POST"):  # WordPress's EDITABLE methods
            return _error(404, *_NO_ROUTE)
        if not content_type.startswith("application/json"):
            return _invalid("body", "send JSON")
        try:
            sent = json.loads(body)
        except ValueError:
            return _error(400, "rest_invalid_json", "Invalid JSON body passed.")
        if not isinstance(sent, dict):
            return _invalid("body", "a JSON object")
        problem = _problem(sent)
        if problem:
            return _invalid(*problem)
        for name in ("date_expires_gmt", "description", "usage_limit", "email_restrictions"):
            if name in sent:
                coupon[name] = sent[name]
        if "date_expires" in sent:  # the site's time zone is UTC here
            coupon["date_expires_gmt"] = sent["date_expires"]
        meta = {m["key"]: m for m in coupon["meta_data"]}
        for entry in sent.get("meta_data", []):
            meta[entry["key"]] = {"id": meta.get(entry["key"], {}).get("id", len(meta) + 1), **entry}
        coupon["meta_data"] = list(meta.values())
        return 200, coupon

    def checkout(self, email: str, amount: Decimal, currency: str, code: str | None, ref: str | None) -> Sale:
        """A classic checkout with a coupon applied (codes in any case, as WooCommerce lowers them)."""
        with self._lock:
            if code is None:
                return self.till.take(email, amount, currency, ref, None)
            coupon = next((c for c in self.coupons.values() if c["code"] == code.lower()), None)
            refused = _refusal(coupon, email, amount)
            if refused is not None:
                return Sale(None, refused)
            assert coupon is not None
            coupon["usage_count"] += 1
            coupon["used_by"].append(email)
            return self.till.take(email, amount, currency, ref, coupon["code"])

    def objects(self) -> list[dict[str, Any]]:
        """What it holds, in the local shop listing's shape (DESIGN.md, "Rewards in the shop")."""
        with self._lock:
            return [*(_listed(coupon) for coupon in self.coupons.values()), *self.till.listed()]


def _refusal(coupon: dict[str, Any] | None, email: str, amount: Decimal) -> str | None:
    if coupon is None:
        return "E_WC_COUPON_NOT_EXIST"
    expires = coupon["date_expires_gmt"]
    if expires and expires <= _now():
        return "E_WC_COUPON_EXPIRED"
    if coupon["usage_limit"] and coupon["usage_count"] >= coupon["usage_limit"]:
        return "E_WC_COUPON_USAGE_LIMIT_REACHED"
    if Decimal(coupon["minimum_amount"]) > amount:
        return "E_WC_COUPON_MIN_SPEND_LIMIT_NOT_MET"
    allowed = [address.lower() for address in coupon["email_restrictions"]]
    if allowed and email.lower() not in allowed:
        return "E_WC_COUPON_NOT_YOURS_REMOVED"
    return None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


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
    expires = coupon["date_expires_gmt"]
    percent = coupon["discount_type"] == "percent"
    worth = (
        {"percent": f"{Decimal(coupon['amount']).normalize():f}"} if percent else {"amount": coupon["amount"]}
    )
    meta = {m["key"]: m.get("value") for m in coupon["meta_data"]}
    listed = {
        "platform": "woocommerce", "kind": "coupon", "code": coupon["code"], **worth,
        "min_subtotal": coupon["minimum_amount"], "usage_limit": coupon["usage_limit"],
        "expires_at": f"{expires}+00:00" if expires else None,
        "active": not (expires and expires <= _now()),
        "used": coupon["usage_count"] > 0, "reward_id": meta.get(woocommerce.REWARD_META),
    }  # fmt: skip
    if coupon["email_restrictions"]:
        listed["email"] = coupon["email_restrictions"][0]
    return listed
