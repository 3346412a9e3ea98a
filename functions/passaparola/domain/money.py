"""Money is a Decimal and an ISO 4217 currency. Never a float: the ledger must add up."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# A cent more than the customer was promised is still a wrong ledger; round in the business's favour.
ROUNDING = ROUND_DOWN

_MAX = Decimal("1000000000")


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValueError("must be a three-letter ISO 4217 code in capitals, such as EUR")
    return value


Currency = Annotated[str, AfterValidator(_currency)]
Amount = Annotated[Decimal, Field(gt=0, le=_MAX, max_digits=15, decimal_places=4, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4, allow_inf_nan=False)]


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Amount
    currency: Currency


def quantize(amount: Decimal, digits: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING)


def percent_of(amount: Decimal, percent: Decimal, digits: int) -> Decimal:
    return quantize(amount * percent / 100, digits)
