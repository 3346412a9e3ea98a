"""Stripe's API as the local stack plays it: the coupons and promotion codes the kit creates, the
customer balance credits and the subscriptions' discounts it gives referrers, held in memory,
checked as Stripe documents them (openapi/spec3.json of stripe/openapi).

Faithful where a mistake would otherwise reach a real shop: the secret key as a bearer token;
`Stripe-Version` (from 2025-09-30 a promotion code names its coupon under `promotion[coupon]`,
so the old `coupon` is an unknown parameter there); form-encoded bodies; required fields and
their types; `Idempotency-Key` (the same key with the same body answers the first answer, with
another body an `idempotency_error`); an id or an active code already taken is
`resource_already_exists`; `POST /v1/promotion_codes/{id}` updates `active` and `metadata`
only; a coupon past its `max_redemptions` cannot be applied again; a balance transaction in
another currency than the customer's is refused. Customers and their
subscriptions are made by `add_customer` and `add_subscription` (a shop's own checkout makes
them). `fail(n)` makes the next n calls answer Stripe's 500 `api_error`, before they change
anything.

Its checkout (checkout.py) takes a promotion code as Stripe Checkout does: unknown, inactive,
fully redeemed, expired or under its minimum amount is refused, each with its own reason.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from passaparola.domain.platforms import stripe
from passaparola_localstack import shop_samples
from passaparola_localstack.checkout import Sale, Till

Answer = tuple[int, dict[str, Any]]
_PERCENT = r"[0-9]{1,3}(\.[0-9]{1,12})?"
_CODE = re.compile(r"^[a-zA-Z0-9-]{1,500}$")
_ID = re.compile(r"^[a-zA-Z0-9_-]{1,500}$")
_VERSION = re.compile(r"^(\d{4}-\d{2}-\d{2})(\.[a-z]+)?$")
# The first version whose promotion codes take `promotion[coupon]` instead of `coupon`.
_PROMOTION_PARAMETER = "2025-09-30"
_PROMOTION = re.compile(r"^/v1/promotion_codes/([^/]+)$")
# What Stripe Checkout says of a promotion code it will not apply (the API's error codes where
# Stripe has one: resource_missing, coupon_expired).
REFUSED = {
    "unknown": "resource_missing",
    "inactive": "promotion_code_inactive",
    "used": "promotion_code_fully_redeemed",
    "expired": "coupon_expired",
    "minimum": "promotion_code_minimum_amount_not_met",
}


def _error(status: int, message: str, *, kind: str = "invalid_request_error", **more: str) -> Answer:
    return status, {"error": {"type": kind, "message": message, **more}}


class _Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def _int(form: dict[str, str], name: str, *, required: bool = False, low: int = 1) -> int | None:
    if name not in form:
        if required:
            raise _Refused(_error(400, f"Missing required param: {name}.", param=name))
        return None
    value = form[name]
    if not re.fullmatch(r"-?[0-9]+", value) or int(value) < low:
        raise _Refused(_error(400, f"Invalid integer: {value}", param=name))
    return int(value)


def _bool(form: dict[str, str], name: str) -> bool:
    value = form.get(name, "false")
    if value not in ("true", "false"):
        raise _Refused(_error(400, f"Invalid boolean: {value}", param=name))
    return value == "true"


@dataclass
class StripeFake:
    key: str = shop_samples.STRIPE_API_KEY
    coupons: dict[str, dict[str, Any]] = field(default_factory=dict)
    promotion_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    balance_transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    discounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    till: Till = field(default_factory=lambda: Till("stripe"))
    _replies: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    _failing: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, times: int) -> None:
        with self._lock:
            self._failing = times

    def a_day_later(self) -> None:
        """Stripe keeps an idempotency key's answer for 24 hours, then forgets it."""
        with self._lock:
            self._replies.clear()

    def add_customer(self, email: str, currency: str | None = None) -> str:
        with self._lock:
            customer_id = f"cus_{len(self.customers) + 1:014d}"
            self.customers[customer_id] = {
                "id": customer_id, "object": "customer", "email": email, "balance": 0,
                "currency": currency, "created": int(time.time()),
            }  # fmt: skip
            return customer_id

    def add_subscription(self, customer: str, interval: str = "month") -> str:
        """An active subscription of one price billed every `interval` (month or year)."""
        with self._lock:
            subscription_id = f"sub_{len(self.subscriptions) + 1:014d}"
            price = {
                "id": "price_local",
                "object": "price",
                "recurring": {"interval": interval, "interval_count": 1},
            }
            self.subscriptions[subscription_id] = {
                "id": subscription_id, "object": "subscription", "customer": customer, "status": "active",
                "discounts": [], "items": {"object": "list", "data": [{"id": "si_local", "price": price}]},
            }  # fmt: skip
            return subscription_id

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        """One request to the API (`path` from `/v1/...`), as Stripe answers it."""
        lower = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            if lower.get("authorization") != f"Bearer {self.key}":
                return _error(401, "Invalid API Key provided")
            version = lower.get("stripe-version")
            if version is not None and not _VERSION.match(version):
                return _error(400, f"Invalid Stripe API version: {version}")
            if self._failing > 0:
                self._failing -= 1
                return _error(500, "An unknown error occurred", kind="api_error")
            if method == "GET":
                return self._read(path, query)
            if method != "POST":
                return _error(404, f"Unrecognized request URL ({method}: {path})")
            form = {
                name: values[-1] for name, values in parse_qs(body.decode(), keep_blank_values=True).items()
            }
            key = lower.get("idempotency-key")
            if key is not None and key in self._replies:
                sent, answer = self._replies[key]
                if sent != f"{path}?{body.decode()}":
                    return _error(
                        400, "Keys for idempotent requests can only be used with the same parameters",
                        kind="idempotency_error",
                    )  # fmt: skip
                return answer
            try:
                answer = self._create(path, form, version)
            except _Refused as refused:
                answer = refused.answer
            if key is not None and answer[0] < 500:
                self._replies[key] = (f"{path}?{body.decode()}", answer)
            return answer

    def _create(self, path: str, form: dict[str, str], version: str | None) -> Answer:
        if path == "/v1/coupons":
            return self._coupon(form)
        if path == "/v1/promotion_codes":
            return self._promotion_code(form, version)
        parts = path.split("/")
        if len(parts) == 5 and parts[2] == "customers" and parts[4] == "balance_transactions":
            return self._balance_transaction(parts[3], form)
        if len(parts) == 4 and parts[2] == "subscriptions":
            return self._discount_subscription(parts[3], form)
        updated = _PROMOTION.match(path)
        if updated:
            return self._update_promotion(updated[1], form)
        return _error(404, f"Unrecognized request URL (POST: {path})")

    def _balance_transaction(self, customer_id: str, form: dict[str, str]) -> Answer:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise _Refused(_error(404, f"No such customer: '{customer_id}'", code="resource_missing"))
        amount = form.get("amount")
        if amount is None:
            raise _Refused(_error(400, "Missing required param: amount.", param="amount"))
        if not re.fullmatch(r"-?[0-9]+", amount) or int(amount) == 0:
            raise _Refused(_error(400, f"Invalid integer: {amount}", param="amount"))
        currency = form.get("currency", "")
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise _Refused(_error(400, "Missing required param: currency.", param="currency"))
        if customer["currency"] not in (None, currency):
            raise _Refused(
                _error(
                    400,
                    f"The customer's balance is in {customer['currency']}, not {currency}.",
                    param="currency",
                )
            )
        customer["currency"] = currency
        customer["balance"] += int(amount)
        transaction = {
            "id": f"cbtxn_{len(self.balance_transactions) + 1:014d}",
            "object": "customer_balance_transaction",
            "amount": int(amount), "currency": currency, "customer": customer_id, "type": "adjustment",
            "description": form.get("description"), "metadata": _metadata(form),
            "ending_balance": customer["balance"], "created": int(time.time()),
        }  # fmt: skip
        self.balance_transactions[transaction["id"]] = transaction
        return 200, transaction

    def _discount_subscription(self, subscription_id: str, form: dict[str, str]) -> Answer:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise _Refused(_error(404, f"No such subscription: '{subscription_id}'", code="resource_missing"))
        entries: dict[int, dict[str, str]] = {}
        for name, value in form.items():
            found = re.fullmatch(r"discounts\[([0-9]+)\]\[(coupon|discount|promotion_code)\]", name)
            if not found:
                raise _Refused(_error(400, f"Received unknown parameter: {name}", param=name))
            entries.setdefault(int(found[1]), {})[found[2]] = value
        kept, applied = [], []
        for index in sorted(entries):
            entry = entries[index]
            if len(entry) != 1:
                raise _Refused(_error(400, "Each discount takes one of coupon, discount or promotion_code."))
            if "discount" in entry:
                if entry["discount"] not in subscription["discounts"]:
                    raise _Refused(_error(400, f"No such discount: '{entry['discount']}'", param="discounts"))
                kept.append(entry["discount"])
            elif "coupon" in entry:
                coupon = self.coupons.get(entry["coupon"])
                if coupon is None:
                    raise _Refused(
                        _error(400, f"No such coupon: '{entry['coupon']}'", code="resource_missing")
                    )
                limit = coupon["max_redemptions"]
                if limit is not None and coupon["times_redeemed"] >= limit:
                    raise _Refused(
                        _error(400, f"Coupon {coupon['id']} has been redeemed the maximum number of times.",
                               code="coupon_expired", param="discounts")
                    )  # fmt: skip
                applied.append(coupon)
            else:
                raise _Refused(_error(400, "Promotion codes are not played on subscriptions here."))
        for coupon in applied:
            coupon["times_redeemed"] += 1
            discount_id = f"di_{len(self.discounts) + 1:014d}"
            self.discounts[discount_id] = {"id": discount_id, "object": "discount", "coupon": coupon,
                                           "subscription": subscription_id}  # fmt: skip
            kept.append(discount_id)
        subscription["discounts"] = kept
        return 200, subscription

    def _update_promotion(self, promotion_id: str, form: dict[str, str]) -> Answer:
        """What an update may change: `active` (back to true only while the coupon is valid)
        and `metadata`; code, coupon, expiry and restrictions are fixed at creation."""
        promotion = self.promotion_codes.get(promotion_id)
        if promotion is None:
            raise _Refused(_error(404, f"No such promotion_code: '{promotion_id}'", code="resource_missing"))
        for name in form:
            if name != "active" and not name.startswith("metadata["):
                raise _Refused(_error(400, f"Received unknown parameter: {name}", param=name))
        if "active" in form:
            active = _bool(form, "active")
            if active and not promotion["coupon"]["valid"]:
                raise _Refused(_error(400, "The promotion code's coupon is no longer valid.", param="active"))
            promotion["active"] = active
        promotion["metadata"] |= _metadata(form)
        return 200, promotion

    def checkout(self, email: str, amount: Decimal, currency: str, code: str | None, ref: str | None) -> Sale:
        """Stripe Checkout with a promotion code typed in (case-insensitive): paid, or refused."""
        with self._lock:
            if code is None:
                return self.till.take(email, amount, currency, ref, None)
            same = [p for p in self.promotion_codes.values() if p["code"].lower() == code.lower()]
            # Only one active code has a text; older inactive ones may share it.
            promotion = next((p for p in same if p["active"]), same[-1] if same else None)
            refused = _refusal(promotion, amount, currency)
            if refused is not None:
                return Sale(None, REFUSED[refused])
            assert promotion is not None
            promotion["times_redeemed"] += 1
            return self.till.take(email, amount, currency, ref, promotion["code"])

    def _coupon(self, form: dict[str, str]) -> Answer:
        duration = form.get("duration", "once")
        if duration not in ("once", "repeating", "forever"):
            raise _Refused(_error(400, f"Invalid duration: {duration}", param="duration"))
        percent, amount = form.get("percent_off"), _int(form, "amount_off")
        if (percent is None) == (amount is None):
            raise _Refused(_error(400, "Coupons require exactly one of amount_off or percent_off."))
        if percent is not None and not (re.fullmatch(_PERCENT, percent) and 0 < Decimal(percent) <= 100):
            raise _Refused(_error(400, f"Invalid percent_off: {percent}", param="percent_off"))
        if amount is not None and not re.fullmatch(r"[a-z]{3}", form.get("currency", "")):
            raise _Refused(_error(400, "Missing required param: currency.", param="currency"))
        coupon_id = form.get("id") or f"cpn_{len(self.coupons) + 1:08d}"
        if not _ID.match(coupon_id):
            raise _Refused(_error(400, f"Invalid id: {coupon_id}", param="id"))
        if coupon_id in self.coupons:
            raise _Refused(
                _error(400, f"Coupon already exists: {coupon_id}", code="resource_already_exists", param="id")
            )
        months = _int(form, "duration_in_months", required=duration == "repeating")
        if months is not None and duration != "repeating":
            raise _Refused(
                _error(400, "duration_in_months is only for a repeating coupon.", param="duration_in_months")
            )
        coupon = {
            "id": coupon_id, "object": "coupon", "duration": duration, "valid": True,
            "duration_in_months": months, "max_redemptions": _int(form, "max_redemptions"),
            "times_redeemed": 0,
            "percent_off": float(percent) if percent is not None else None, "amount_off": amount,
            "currency": form.get("currency") if amount is not None else None, "name": form.get("name"),
            "metadata": _metadata(form), "created": int(time.time()),
        }  # fmt: skip
        self.coupons[coupon_id] = coupon
        return 200, coupon

    def _promotion_code(self, form: dict[str, str], version: str | None) -> Answer:
        newer = version is not None and version[:10] >= _PROMOTION_PARAMETER
        parameter = "promotion[coupon]" if newer else "coupon"
        allowed = {parameter, "promotion[type]"} if newer else {parameter}
        for name in form.keys() & {"coupon", "promotion[coupon]", "promotion[type]"} - allowed:
            raise _Refused(_error(400, f"Received unknown parameter: {name}", param=name))
        coupon_id = form.get(parameter)
        if not coupon_id:
            raise _Refused(_error(400, f"Missing required param: {parameter}.", param=parameter))
        coupon = self.coupons.get(coupon_id)
        if coupon is None:
            raise _Refused(
                _error(400, f"No such coupon: '{coupon_id}'", code="resource_missing", param=parameter)
            )
        code = form.get("code", "")
        if not _CODE.match(code):
            raise _Refused(_error(400, f"Invalid code: {code}", param="code"))
        if any(p["code"].lower() == code.lower() and p["active"] for p in self.promotion_codes.values()):
            raise _Refused(
                _error(
                    400, f"An active promotion code with `code: {code}` already exists.",
                    code="resource_already_exists", param="code",
                )
            )  # fmt: skip
        expires_at = _int(form, "expires_at")
        if expires_at is not None and expires_at <= time.time():
            raise _Refused(_error(400, "expires_at must be in the future", param="expires_at"))
        minimum = _int(form, "restrictions[minimum_amount]")
        currency = form.get("restrictions[minimum_amount_currency]")
        if minimum is not None and not (currency and re.fullmatch(r"[a-z]{3}", currency)):
            raise _Refused(_error(400, "Missing required param: restrictions[minimum_amount_currency]."))
        promotion = {
            "id": shop_samples.promotion_id(code), "object": "promotion_code", "active": True, "code": code,
            "coupon": coupon, "expires_at": expires_at, "max_redemptions": _int(form, "max_redemptions"),
            "times_redeemed": 0, "metadata": _metadata(form), "created": int(time.time()),
            "restrictions": {
                "first_time_transaction": _bool(form, "restrictions[first_time_transaction]"),
                "minimum_amount": minimum,
                "minimum_amount_currency": currency if minimum is not None else None,
            },
        }  # fmt: skip
        self.promotion_codes[shop_samples.promotion_id(code)] = promotion
        return 200, promotion

    def _read(self, path: str, query: str) -> Answer:
        asked = {name: values[-1] for name, values in parse_qs(query).items()}
        parts = path.split("/")
        if path == "/v1/customers":
            found = [
                c for c in self.customers.values() if "email" not in asked or c["email"] == asked["email"]
            ]
            return 200, {
                "object": "list",
                "data": found[: int(asked.get("limit", 10))],
                "has_more": False,
                "url": path,
            }
        if len(parts) == 5 and parts[2] == "customers" and parts[4] == "balance_transactions":
            if parts[3] not in self.customers:
                return _error(404, f"No such customer: '{parts[3]}'", code="resource_missing")
            found = [t for t in self.balance_transactions.values() if t["customer"] == parts[3]]
            return 200, {"object": "list", "data": found[::-1], "has_more": False, "url": path}
        if path == "/v1/subscriptions":
            found = [
                s
                for s in self.subscriptions.values()
                if asked.get("customer", s["customer"]) == s["customer"]
                and asked.get("status", s["status"]) == s["status"]
            ]
            return 200, {"object": "list", "data": found, "has_more": False, "url": path}
        if len(parts) == 4 and parts[2] == "coupons":
            if parts[3] in self.coupons:
                return 200, self.coupons[parts[3]]
            return _error(404, f"No such coupon: '{parts[3]}'", code="resource_missing")
        if path == "/v1/promotion_codes":
            code = parse_qs(query).get("code", [None])[0]
            found = [p for p in self.promotion_codes.values() if code is None or p["code"] == code]
            return 200, {"object": "list", "data": found, "has_more": False, "url": path}
        promotion = path.removeprefix("/v1/promotion_codes/")
        if promotion != path and "/" not in promotion:
            if promotion in self.promotion_codes:
                return 200, self.promotion_codes[promotion]
            # The test shop's sample events name promotion codes made up for them.
            return shop_samples.promotion_code(promotion, f"Bearer {self.key}")
        return _error(404, f"Unrecognized request URL (GET: {path})")

    def objects(self) -> list[dict[str, Any]]:
        """What it holds, in the local shop listing's shape (DESIGN.md, "Rewards in the shop")."""
        with self._lock:
            return [
                *map(_coupon_listed, self.coupons.values()),
                *map(_promotion_listed, self.promotion_codes.values()),
                *(self._balance_listed(t) for t in self.balance_transactions.values()),
                *self.till.listed(),
            ]

    def _balance_listed(self, transaction: dict[str, Any]) -> dict[str, Any]:
        """A credit (a negative amount) as what the customer has, in major units."""
        return {
            "platform": "stripe", "kind": "customer_balance",
            "email": self.customers[transaction["customer"]]["email"],
            "amount": _major(-transaction["amount"], transaction["currency"]),
            "currency": transaction["currency"].upper(), "active": True, "used": False,
            "reward_id": transaction["metadata"].get("reward_id"),
        }  # fmt: skip


def _refusal(promotion: dict[str, Any] | None, amount: Decimal, currency: str) -> str | None:
    if promotion is None:
        return "unknown"
    if (
        promotion["max_redemptions"] is not None
        and promotion["times_redeemed"] >= promotion["max_redemptions"]
    ):
        return "used"
    if not promotion["active"]:
        return "inactive"
    if promotion["expires_at"] is not None and promotion["expires_at"] <= time.time():
        return "expired"
    restrictions = promotion["restrictions"]
    minimum = restrictions["minimum_amount"]
    if minimum is not None:
        wanted = restrictions["minimum_amount_currency"]
        paid = int(amount.scaleb(stripe.minor_digits(currency)))
        if wanted != currency.lower() or paid < minimum:
            return "minimum"
    return None


def _metadata(form: dict[str, str]) -> dict[str, str]:
    return {
        name[9:-1]: value
        for name, value in form.items()
        if name.startswith("metadata[") and name.endswith("]")
    }


def _major(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-stripe.minor_digits(currency.upper())))


def _worth(coupon: dict[str, Any]) -> dict[str, Any]:
    if coupon["amount_off"] is not None:
        return {
            "amount": _major(coupon["amount_off"], coupon["currency"]),
            "currency": coupon["currency"].upper(),
        }
    return {"percent": f"{Decimal(str(coupon['percent_off'])).normalize():f}"}


def _coupon_listed(coupon: dict[str, Any]) -> dict[str, Any]:
    listed = {
        "platform": "stripe",
        "kind": "coupon",
        **_worth(coupon),
        "active": coupon["valid"],
        "used": coupon["times_redeemed"] > 0,
    }
    if coupon["max_redemptions"] is not None:
        listed["usage_limit"] = coupon["max_redemptions"]
    if coupon["metadata"].get("reward_id"):  # a coupon of one reward's own (a free month)
        listed["reward_id"] = coupon["metadata"]["reward_id"]
    return listed


def _promotion_listed(promotion: dict[str, Any]) -> dict[str, Any]:
    restrictions, expires = promotion["restrictions"], promotion["expires_at"]
    listed = {
        "platform": "stripe", "kind": "promotion_code", "code": promotion["code"],
        **_worth(promotion["coupon"]),
        "usage_limit": promotion["max_redemptions"], "active": promotion["active"],
        "used": promotion["times_redeemed"] > 0, "reward_id": promotion["metadata"].get("reward_id"),
        "expires_at": datetime.fromtimestamp(expires, UTC).isoformat() if expires else None,
    }  # fmt: skip
    if restrictions["minimum_amount"] is not None:
        listed["min_subtotal"] = _major(
            restrictions["minimum_amount"], restrictions["minimum_amount_currency"]
        )
    return listed
