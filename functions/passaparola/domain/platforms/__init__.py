"""The shop platforms' own webhooks (Stripe, Shopify, WooCommerce), verified and read.

Each platform's module has `verify` (its documented signature scheme, hand-written on the
standard library: a platform's SDK would cost a cold start more than the check itself) and
`read` (its payload mapped to the order or refund that POST /conversions and POST /refunds
take, or to an event we do not use). Both are pure: no I/O, no clock but the one given.

Every reading takes only what the signature covers. Headers outside it (a Shopify topic, a
WooCommerce source) never decide what an order is: a signed body replayed under another
header still names the same order, and the same order counts once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from passaparola.domain.errors import InvalidInput
from passaparola.domain.money import Money

if TYPE_CHECKING:
    from passaparola.domain.orders import PaidOrder

# Where a shop passes the referral code through checkout: the same two names on every platform
# (Stripe metadata, Shopify cart attributes, WooCommerce order meta).
REFERRAL_FIELDS = ("referral_code", "ref")
# What a signature that matches none of the secrets is told; never which secret came closest.
NO_MATCH = "no signature matches any current secret"

Verify = Callable[[bytes, Mapping[str, str], Sequence[str], float], None]


@dataclass(frozen=True)
class Paid:
    """A paid order. `event_id` is what a redelivery of this event repeats (the idempotency
    key); `promotion_codes` are Stripe promotion code ids, whose text only Stripe's API knows."""

    event_id: str
    order: PaidOrder
    promotion_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refunded:
    """An order refunded (fully or in part: either voids its rewards, as POST /refunds does)."""

    event_id: str
    order_id: str


@dataclass(frozen=True)
class Ignored:
    """An event passaparola does not use, answered 200 so that the platform stops sending it."""

    reason: str


ShopEvent = Paid | Refunded | Ignored


def unreadable(what: str) -> InvalidInput:
    return InvalidInput(what, code="invalid_request")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name in any case (API Gateway lower-cases them; the platforms do not)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def text(value: Any) -> str | None:
    """A non-empty string, or a whole number as its digits (ids can pass 2**53), else None."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def field(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]..., or None where a level is missing or not an object."""
    for name in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(name)
    return data


def listed(data: Any, name: str) -> list[Mapping[str, Any]]:
    """The objects in data[name], a list, or none."""
    found = field(data, name)
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


def price(amount: Any, currency: Any, where: str) -> Money | None:
    """The order's total as Money, None when nothing was paid; what is not money is refused."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        raise unreadable(f"{where} is not an amount of money: {amount!r}") from None
    if not isinstance(currency, str):
        raise unreadable(f"the order has no currency beside {where}")
    if value == 0:
        return None
    try:
        return Money(amount=value, currency=currency.upper())
    except ValidationError as exc:
        raise unreadable(f"{where} {amount!r} {currency!r}: {exc.errors()[0]['msg']}") from None


def one_line(*parts: Any) -> str | None:
    """An address's parts as one line (the customer marker normalises the rest)."""
    line = ", ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    return line or None


def query_value(url: Any, name: str) -> str | None:
    """A query parameter of a URL the platform recorded (e.g. the landing page's ?ref=)."""
    if not isinstance(url, str):
        return None
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def codes(*found: Any) -> tuple[str, ...]:
    """The codes found, in order, as text; attribution decides which could be ours."""
    return tuple(code for value in found if (code := text(value)))
