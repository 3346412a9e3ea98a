import math
import re

import pytest

from passaparola.domain import codes

pytestmark = pytest.mark.unit


def test_a_code_carries_at_least_40_bits_of_randomness():
    assert codes.RANDOM_BITS >= 40
    assert math.isclose(codes.RANDOM_BITS, codes.RANDOM_LENGTH * math.log2(len(codes.ALPHABET)))


def test_codes_use_an_unambiguous_vowel_free_alphabet():
    assert not set(codes.ALPHABET) & set("AEIOU01LY")
    for _ in range(2000):
        code = codes.new_code("SPRING")
        assert re.fullmatch(rf"SPRING-[{codes.ALPHABET}]{{9}}", code)


def test_no_blocked_string_ever_appears():
    for _ in range(5000):
        body = codes.new_random_part()
        assert not any(word in body for word in codes.BLOCKED), body


def test_codes_do_not_repeat_in_practice():
    drawn = {codes.new_random_part() for _ in range(20000)}
    assert len(drawn) == 20000


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SPRING-7KQMX2R9P", "SPRING-7KQMX2R9P"),
        ("  spring-7kqmx2r9p ", "SPRING-7KQMX2R9P"),
        ("SPRING-7KQMX2R9", None),  # too short
        ("SPRING-7KQMX2R9O", None),  # O is not in the alphabet
        ("SPRING7KQMX2R9P", None),
        ("../etc-7KQMX2R9P", None),
        ("", None),
    ],
)
def test_normalise_forgives_case_and_spaces_only(typed, expected):
    assert codes.normalise(typed) == expected


def test_coupon_codes_are_grouped_for_reading_aloud():
    coupon = codes.coupon_code("GIFT")
    assert re.fullmatch(
        rf"GIFT-[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{3}}", coupon
    )
