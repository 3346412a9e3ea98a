"""Shopify's Admin GraphQL API as the local stack plays it: the discount codes and the store
credit the kit creates, held in memory, checked as shopify.dev documents `discountCodeBasicCreate`
and `DiscountCodeBasicInput` (and `codeDiscountNodeByCode` to find one by its code),
`customers(query:)`, `storeCreditAccountCredit` and a customer's `storeCreditAccounts`.

Faithful where a mistake would otherwise reach a real shop: the `X-Shopify-Access-Token`
header; a supported API version in the path; the input's required fields (code, title,
startsAt, customerGets, and context or the deprecated customerSelection) and their types; a code
already used is a `TAKEN` user error; store credit needs a customer (`add_customer`; a shop's
own checkout makes them) and a positive amount, opens one account per currency, and keeps no
reference of the caller's; and the calculated query cost, from a bucket of 2,000
points restored at 100 a second (the Standard plan), each answer carrying
`extensions.cost.throttleStatus`, an empty bucket answering `THROTTLED`. `discountCodeDeactivate`
ends a discount now (its status EXPIRED, as Shopify shows a deactivated one). `fail(n)` makes the
next n calls answer a 503 before they change anything.

Its checkout (checkout.py) applies a code as Shopify's checkout does, refusing with Shopify's
CheckoutErrorCode: DISCOUNT_NOT_FOUND, DISCOUNT_DISABLED (deactivated), DISCOUNT_LIMIT_REACHED,
DISCOUNT_EXPIRED and CART_DOES_NOT_MEET_DISCOUNT_REQUIREMENTS_NOTICE (under the minimum).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from passaparola_localstack.checkout import Sale, Till

Answer = tuple[int, Any]
KEY = "shpat_passaparola_local"
VERSIONS = frozenset({"2025-10", "2026-01", "2026-04", "2026-07", "2026-10"})
_PATH = re.compile(r"^/admin/api/([0-9]{4}-[0-9]{2})/graphql\.json$")
_TITLE = re.compile(r"^Referral (\S+) for (?:claim|reward) (\S+)$")
_INPUT = "Variable $basicCodeDiscount of type DiscountCodeBasicInput!"
_UNAUTHORISED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
BUCKET, RESTORE, MUTATION_COST, QUERY_COST = 2000.0, 100.0, 10, 1


class _Invalid(Exception):
    pass


def _graphql_error(message: str, code: str = "INVALID_VARIABLE") -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _decimal(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise _Invalid(f"{where}: Decimal must be a string")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise _Invalid(f"{where}: invalid Decimal {value!r}") from None


def _time(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{where}: DateTime must be a string")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{where}: invalid DateTime {value!r}") from None
    return value


# Each operation the kit sends, by the field it names (first match wins), and who plays it.
_PLAYED = (
    ("discountCodeBasicCreate(", "_create"),
    ("codeDiscountNodeByCode(", "_find"),
    ("storeCreditAccountCredit(", "_credit"),
    ("customers(", "_customers"),
    ("storeCreditAccounts(", "_accounts"),
    ("discountCodeDeactivate(", "_deactivate"),
)


@dataclass
class ShopifyFake:
    key: str = KEY
    discounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by code, upper case
    customers: dict[str, str] = field(default_factory=dict)  # email -> gid://shopify/Customer/...
    # Store credit transactions: credits, in the order made, each with its customer's gid.
    credits: list[dict[str, Any]] = field(default_factory=list)
    till: Till = field(default_factory=lambda: Till("shopify"))
    _available: float = BUCKET
    _checked: float = field(default_factory=time.monotonic)
    _failing: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, times: int) -> None:
        with self._lock:
            self._failing = times

    def add_customer(self, email: str) -> str:
        with self._lock:
            return self.customers.setdefault(
                email, f"gid://shopify/Customer/{7000 + len(self.customers) + 1}"
            )

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Answer:
        lower = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            version = _PATH.match(path)
            if method != "POST" or not version or version[1] not in VERSIONS:
                return 404, {"errors": "Not Found"}
            if lower.get("x-shopify-access-token") != self.key:
                return 401, _UNAUTHORISED
            if self._failing > 0:
                self._failing -= 1
                return 503, {"errors": "Service Unavailable"}
            try:
                sent = json.loads(body)
            except ValueError:
                return 400, {"errors": {"query": "Required parameter missing or invalid"}}
            text = sent.get("query") if isinstance(sent, dict) else None
            variables = sent.get("variables") or {} if isinstance(sent, dict) else {}
            if not isinstance(text, str) or not isinstance(variables, dict):
                return 400, {"errors": {"query": "Required parameter missing or invalid"}}
            cost = MUTATION_COST if text.lstrip().startswith("mutation") else QUERY_COST
            if not self._spend(cost):
                return 200, _graphql_error("Throttled", "THROTTLED") | self._cost(cost, 0)
            played = next((name for marker, name in _PLAYED if marker in text), None)
            if played is None:
                answer = _graphql_error("This kind of query is not played here", "UNDEFINED")
            else:
                answer = getattr(self, played)(variables)
            return 200, answer | self._cost(cost, cost)

    def _spend(self, cost: int) -> bool:
        now = time.monotonic()
        self._available = min(BUCKET, self._available + (now - self._checked) * RESTORE)
        self._checked = now
        if self._available < cost:
            return False
        self._available -= cost
        return True

    def _cost(self, requested: int, actual: int) -> dict[str, Any]:
        available = int(self._available)
        status = {"maximumAvailable": BUCKET, "currentlyAvailable": available, "restoreRate": RESTORE}
        cost = {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}
        return {"extensions": {"cost": cost}}

    def _create(self, variables: dict[str, Any]) -> dict[str, Any]:
        discount = variables.get("basicCodeDiscount")
        if not isinstance(discount, dict):
            return _graphql_error(f"{_INPUT} was provided invalid value")
        try:
            held = _checked(discount)
        except _Invalid as exc:
            return _graphql_error(f"{_INPUT} was provided invalid value for {exc}")
        payload: dict[str, Any]
        if held["code"].upper() in self.discounts:
            error = {
                "field": ["basicCodeDiscount", "code"],
                "code": "TAKEN",
                "message": "Code must be unique. Please try a different code.",
            }
            payload = {"codeDiscountNode": None, "userErrors": [error]}
        else:
            held["id"] = f"gid://shopify/DiscountCodeNode/{1000 + len(self.discounts) + 1}"
            held["used"] = 0
            self.discounts[held["code"].upper()] = held
            payload = {"codeDiscountNode": {"id": held["id"]}, "userErrors": []}
        return {"data": {"discountCodeBasicCreate": payload}}

    def _find(self, variables: dict[str, Any]) -> dict[str, Any]:
        code = variables.get("code")
        if not isinstance(code, str):
            return _graphql_error("Variable $code of type String! was provided invalid value")
        held = self.discounts.get(code.upper())
        node = None
        if held:
            found = {"title": held["title"], "status": _status(held), "asyncUsageCount": held["used"]}
            node = {"id": held["id"], "codeDiscount": found}
        return {"data": {"codeDiscountNodeByCode": node}}

    def _customers(self, variables: dict[str, Any]) -> dict[str, Any]:
        """Shopify's search syntax, as much of it as the kit uses: `email:"..."`."""
        search = variables.get("query")
        if not isinstance(search, str):
            return _graphql_error("Variable $query of type String was provided invalid value")
        wanted = re.fullmatch(r'email:"?([^"\s]+)"?', search.strip())
        found = [
            gid for email, gid in self.customers.items() if wanted and email.lower() == wanted[1].lower()
        ]
        return {"data": {"customers": {"nodes": [{"id": gid} for gid in found[:1]]}}}

    def _credit(self, variables: dict[str, Any]) -> dict[str, Any]:
        owner, given = variables.get("id"), variables.get("creditInput")
        money = given.get("creditAmount") if isinstance(given, dict) else None
        if not isinstance(owner, str) or not isinstance(money, dict):
            return _graphql_error(
                "Variable $creditInput of type StoreCreditAccountCreditInput! was provided invalid value"
            )
        try:
            amount = _decimal(money.get("amount"), "creditAmount.amount")
        except _Invalid as exc:
            return _graphql_error(f"Variable $creditInput was provided invalid value for {exc}")
        currency = money.get("currencyCode")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            return _graphql_error(
                "Variable $creditInput was provided invalid value for creditAmount.currencyCode"
            )

        def refused(code: str, message: str) -> dict[str, Any]:
            error = {"field": ["creditInput", "creditAmount"], "code": code, "message": message}
            return {
                "data": {
                    "storeCreditAccountCredit": {"storeCreditAccountTransaction": None, "userErrors": [error]}
                }
            }

        if owner not in self.customers.values():
            return refused("ACCOUNT_NOT_FOUND", "Owner does not exist")
        if amount <= 0:
            return refused(
                "NEGATIVE_OR_ZERO_AMOUNT", "A positive amount must be used to credit a store credit account"
            )
        credit = {
            "id": f"gid://shopify/StoreCreditAccountCreditTransaction/{9000 + len(self.credits) + 1}",
            "customer": owner, "amount": {"amount": str(amount), "currencyCode": currency},
            "createdAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }  # fmt: skip
        self.credits.append(credit)
        made = {"id": credit["id"], "amount": credit["amount"]}
        return {
            "data": {"storeCreditAccountCredit": {"storeCreditAccountTransaction": made, "userErrors": []}}
        }

    def _accounts(self, variables: dict[str, Any]) -> dict[str, Any]:
        owner = variables.get("id")
        if owner not in self.customers.values():
            return {"data": {"customer": None}}
        accounts: dict[str, list[dict[str, Any]]] = {}
        for credit in reversed(self.credits):
            if credit["customer"] == owner:
                shown = {k: credit[k] for k in ("id", "amount", "createdAt")}
                accounts.setdefault(credit["amount"]["currencyCode"], []).append(shown)
        nodes = [{"transactions": {"nodes": made}} for made in accounts.values()]
        return {"data": {"customer": {"storeCreditAccounts": {"nodes": nodes}}}}

    def _deactivate(self, variables: dict[str, Any]) -> dict[str, Any]:
        node_id = variables.get("id")
        if not isinstance(node_id, str):
            return _graphql_error("Variable $id of type ID! was provided invalid value")
        held = next((d for d in self.discounts.values() if d["id"] == node_id), None)
        if held is None:
            error = {"field": ["id"], "code": "INVALID", "message": "Discount does not exist"}
            return {"data": {"discountCodeDeactivate": {"codeDiscountNode": None, "userErrors": [error]}}}
        if _status(held) == "ACTIVE":
            held["endsAt"] = datetime.now(UTC).isoformat()
            held["deactivated"] = True
        node = {"id": node_id, "codeDiscount": {"status": _status(held)}}
        return {"data": {"discountCodeDeactivate": {"codeDiscountNode": node, "userErrors": []}}}

    def checkout(self, email: str, amount: Decimal, currency: str, code: str | None, ref: str | None) -> Sale:
        """Shopify's checkout with a discount code (codes in any case)."""
        with self._lock:
            if code is None:
                return self.till.take(email, amount, currency, ref, None)
            held = self.discounts.get(code.upper())
            refused = _refusal(held, amount)
            if refused is not None:
                return Sale(None, refused)
            assert held is not None
            held["used"] += 1
            return self.till.take(email, amount, currency, ref, held["code"])

    def objects(self) -> list[dict[str, Any]]:
        """What it holds, in the local shop listing's shape (DESIGN.md, "Rewards in the shop")."""
        with self._lock:
            emails = {gid: email for email, gid in self.customers.items()}
            credits = [_credit_listed(credit, emails[credit["customer"]]) for credit in self.credits]
            return [*(_listed(held) for held in self.discounts.values()), *credits, *self.till.listed()]


def _status(held: dict[str, Any]) -> str:
    """DiscountStatus: SCHEDULED, ACTIVE or EXPIRED, by the discount's dates now."""
    now = datetime.now(UTC)
    if datetime.fromisoformat(held["startsAt"]) > now:
        return "SCHEDULED"
    ends = held.get("endsAt")
    return "EXPIRED" if ends is not None and datetime.fromisoformat(ends) <= now else "ACTIVE"


def _refusal(held: dict[str, Any] | None, amount: Decimal) -> str | None:
    if held is None:
        return "DISCOUNT_NOT_FOUND"
    limit = held.get("usageLimit")
    if limit is not None and held["used"] >= limit:
        return "DISCOUNT_LIMIT_REACHED"
    status = _status(held)
    if status == "SCHEDULED":
        return "DISCOUNT_DISABLED"
    if status == "EXPIRED":
        # A deactivated discount ends the moment it is deactivated; one past its own end expired.
        return "DISCOUNT_DISABLED" if held.get("deactivated") else "DISCOUNT_EXPIRED"
    minimum = ((held.get("minimumRequirement") or {}).get("subtotal") or {}).get(
        "greaterThanOrEqualToSubtotal"
    )
    if minimum is not None and amount < Decimal(minimum):
        return "CART_DOES_NOT_MEET_DISCOUNT_REQUIREMENTS_NOTICE"
    return None


def _checked(discount: dict[str, Any]) -> dict[str, Any]:
    for name in ("code", "title"):
        if not isinstance(discount.get(name), str) or not discount[name]:
            raise _Invalid(f"{name}: Expected value to not be null")
    _time(discount.get("startsAt"), "startsAt")
    if discount.get("endsAt") is not None:
        _time(discount["endsAt"], "endsAt")
    _check_context(discount)
    _check_gets(discount.get("customerGets"))
    limit = discount.get("usageLimit", 1)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise _Invalid("usageLimit: Could not coerce value to Int")
    if not isinstance(discount.get("appliesOncePerCustomer", False), bool):
        raise _Invalid("appliesOncePerCustomer: Could not coerce value to Boolean")
    minimum = discount.get("minimumRequirement")
    if minimum is not None:
        subtotal = minimum.get("subtotal") if isinstance(minimum, dict) else None
        _decimal((subtotal or {}).get("greaterThanOrEqualToSubtotal"), "minimumRequirement.subtotal")
    return dict(discount)


def _check_context(discount: dict[str, Any]) -> None:
    if "context" not in discount and "customerSelection" not in discount:
        raise _Invalid("context: Expected value to not be null")
    context = discount.get("context", {"all": "ALL"})
    targets = isinstance(context, dict) and (
        context.get("all") == "ALL" or bool({"customers", "customerSegments"} & context.keys())
    )
    if not targets:
        raise _Invalid("context: Expected DiscountContextInput (all: ALL, customers or customerSegments)")


def _check_gets(gets: Any) -> None:
    if not isinstance(gets, dict) or not isinstance(gets.get("items"), dict):
        raise _Invalid("customerGets.items: Expected value to not be null")
    value = gets.get("value")
    if not isinstance(value, dict) or len(value) != 1:
        raise _Invalid("customerGets.value: Expected exactly one of percentage or discountAmount")
    percent, amount = value.get("percentage"), value.get("discountAmount")
    fraction = isinstance(percent, float | int) and not isinstance(percent, bool) and 0 < percent <= 1
    if percent is not None and not fraction:
        raise _Invalid("customerGets.value.percentage: Float between 0 and 1")
    if amount is not None:
        if not isinstance(amount, dict) or not isinstance(amount.get("appliesOnEachItem"), bool):
            raise _Invalid("customerGets.value.discountAmount.appliesOnEachItem: Expected Boolean")
        _decimal(amount.get("amount"), "customerGets.value.discountAmount.amount")


def _listed(held: dict[str, Any]) -> dict[str, Any]:
    value = held["customerGets"]["value"]
    if "percentage" in value:
        worth = {"percent": f"{(Decimal(str(value['percentage'])) * 100).normalize():f}"}
    else:
        worth = {"amount": f"{Decimal(value['discountAmount']['amount']):.2f}"}
    titled = _TITLE.match(held["title"])
    minimum = (held.get("minimumRequirement") or {}).get("subtotal")
    listed = {
        "platform": "shopify", "kind": "discount_code", "code": held["code"], **worth,
        "usage_limit": held.get("usageLimit"), "expires_at": held.get("endsAt"),
        "active": _status(held) != "EXPIRED", "used": held["used"] > 0,
        "reward_id": titled[1] if titled else None,
    }  # fmt: skip
    if minimum:
        listed["min_subtotal"] = f"{Decimal(minimum['greaterThanOrEqualToSubtotal']):.2f}"
    return listed


def _credit_listed(credit: dict[str, Any], email: str) -> dict[str, Any]:
    """Shopify keeps no reference of ours on store credit: the listing has no reward id."""
    return {
        "platform": "shopify", "kind": "store_credit", "email": email,
        "amount": f"{Decimal(credit['amount']['amount']):.2f}", "currency": credit["amount"]["currencyCode"],
        "active": True, "used": False,
    }  # fmt: skip
