"""Money is a Decimal and an ISO 4217 currency. Never a float: the ledger must add up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from passaparola.domain.errors import InvalidInput

# A cent more than the customer was promised is still a wrong ledger; round in the business's favour.
ROUNDING = ROUND_DOWN

_MAX = Decimal("1000000000")


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValueError("must be a three-letter ISO 4217 code in capitals, such as EUR")
    return value


# Decimal() reads any Unicode digit (full-width "\uff14\uff19" is 49), a sign and spaces; a
# price is plain digits.
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


def _plain_decimal(value: object) -> object:
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise PydanticCustomError(
            "plain_decimal", "must be a number in the digits 0-9 with a dot for decimals, such as 49.90"
        )
    return value


PlainDecimal = BeforeValidator(_plain_decimal)
Currency = Annotated[str, AfterValidator(_currency)]
Amount = Annotated[
    Decimal, PlainDecimal, Field(gt=0, le=_MAX, max_digits=15, decimal_places=4, allow_inf_nan=False)
]
Percent = Annotated[
    Decimal, PlainDecimal, Field(gt=0, le=100, max_digits=7, decimal_places=4, allow_inf_nan=False)
]


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Amount
    currency: Currency


def quantize(amount: Decimal, digits: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING)


def percent_of(amount: Decimal, percent: Decimal, digits: int) -> Decimal:
    return quantize(amount * percent / 100, digits)


def check_price(amount: Decimal, currency: str, minor_units: Mapping[str, int]) -> None:
    """An amount someone paid: in a currency in use, and no finer than its minor unit (a cent of
    a euro, a whole yen). Trailing zeros are not finer: 4999.00 yen is 4999 yen.
    `minor_units` is every currency in use with its minor unit, as the build compiled it."""
    digits = minor_units.get(currency)
    if digits is None:
        raise InvalidInput(f"currency: {currency} is not an ISO 4217 currency in use", code="invalid_request")
    if amount != quantize(amount, digits):
        smallest = Decimal(1).scaleb(-digits)
        raise InvalidInput(
            f"amount: {amount} is finer than the smallest unit of {currency} ({smallest})",
            code="invalid_request",
        )
