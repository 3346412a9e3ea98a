from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from passaparola.domain import money
from passaparola.domain.errors import InvalidInput

pytestmark = pytest.mark.unit

MINOR_UNITS = {"EUR": 2, "JPY": 0, "BHD": 3}


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("49.90", "EUR"),
        ("49.9", "EUR"),
        ("49.900", "EUR"),
        ("4999", "JPY"),
        ("4999.00", "JPY"),
        ("1.125", "BHD"),
    ],
)
def test_a_price_within_the_minor_unit_is_money(amount, currency):
    money.check_price(Decimal(amount), currency, MINOR_UNITS)


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("0.0001", "EUR", "amount"),
        ("49.995", "EUR", "amount"),
        ("4999.5", "JPY", "amount"),
        ("1.1255", "BHD", "amount"),
        ("49.90", "ZZZ", "currency"),
        ("49.90", "eur", "currency"),
    ],
)
def test_a_price_finer_than_the_minor_unit_or_in_no_currency_is_refused_naming_the_field(
    amount, currency, field
):
    with pytest.raises(InvalidInput) as raised:
        money.check_price(Decimal(amount), currency, MINOR_UNITS)
    assert raised.value.message.startswith(f"{field}: ")
    assert raised.value.code == "invalid_request"


@pytest.mark.parametrize(
    "typed", ["\uff14\uff19", "٤٩", "४९", "49.\uff190", " 49", "49 ", "+49", "-49", "4_9", "1e3", "49.", ".5"]
)
def test_an_amount_is_read_from_the_ascii_digits_only(typed):
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(money.Amount).validate_python(typed)
    assert "digits 0-9" in str(raised.value)


@pytest.mark.parametrize(
    ("typed", "read"), [("49", "49"), ("49.90", "49.90"), (49, "49"), (Decimal("0.01"), "0.01")]
)
def test_plain_amounts_are_read_exactly(typed, read):
    assert TypeAdapter(money.Amount).validate_python(typed) == Decimal(read)
