"""An order as a shop reports it, before anything is decided about it."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.domain.customers import Identifiers
from passaparola.domain.money import Money


@dataclass(frozen=True)
class PaidOrder:
    """A paid order: the buyer's identifiers are kept only as markers, and `codes` are every
    code the order carries (referral codes, coupons, the shop's own discount codes) in the
    order the shop lists them; attribution picks among them."""

    order_id: str
    price: Money
    buyer: Identifiers
    codes: tuple[str, ...] = ()
