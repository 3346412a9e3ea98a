"""An order as a shop reports it, and its buyer, before anything is decided about them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from passaparola.domain.money import Money


@dataclass(frozen=True)
class Identifiers:
    """What the shop tells us about a buyer; kept only as customer markers (domain.customers)."""

    email: str
    customer_id: str | None = None
    address: str | None = None
    payment_fingerprint: str | None = None


@dataclass(frozen=True)
class PaidOrder:
    """A paid order: the buyer's identifiers are kept only as markers, and `codes` are every
    code the order carries (referral codes, coupons, the shop's own discount codes) in the
    order the shop lists them; attribution picks among them. `satisfaction` (0-10, how likely
    the buyer is to recommend the shop) and `locale` only shape the invitation to join
    (domain.asking); neither is stored."""

    order_id: str
    price: Money
    buyer: Identifiers
    codes: tuple[str, ...] = ()
    satisfaction: int | None = None
    locale: str | None = None
