"""Referral and coupon codes.

A referral code looks like ``SPRING-7KQMX2R9P``: the campaign's prefix, a hyphen, then nine
characters drawn with `secrets` from an alphabet with no vowels (so no words, polite or not)
and none of the look-alikes 0/O, 1/I/L. That is 27 symbols, so nine characters carry
9 * log2(27) = 42.8 bits. The prefix lets the click path find the campaign without a read.
Uniqueness is not left to chance: the storage layer writes each code with a condition.
"""

from __future__ import annotations

import math
import re
import secrets

ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
RANDOM_LENGTH = 9
RANDOM_BITS = RANDOM_LENGTH * math.log2(len(ALPHABET))

# Vowel-free strings can still read as slurs or insults through consonant skeletons.
BLOCKED = (
    "FCK",
    "FK",
    "SHT",
    "CNT",
    "KKK",
    "NGR",
    "NGG",
    "FGT",
    "DCK",
    "TWT",
    "WNK",
    "PSS",
    "XXX",
    "666",
    "88",
)

PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{2,12}$")
_CODE_PATTERN = re.compile(rf"^(?P<prefix>[A-Z0-9]{{2,12}})-(?P<body>[{ALPHABET}]{{{RANDOM_LENGTH}}})$")
_COUPON_PATTERN = re.compile(rf"^[A-Z0-9]{{2,12}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{3}}$")


def new_random_part() -> str:
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        if not any(word in body for word in BLOCKED):
            return body


def new_code(prefix: str) -> str:
    return f"{prefix}-{new_random_part()}"


def normalise(raw: str) -> str | None:
    """The canonical form of a code typed or pasted by a person, or None if it cannot be one.

    Case and surrounding spaces are forgiven; the look-alikes are not guessed at, because a
    guess could credit the wrong referrer.
    """
    candidate = raw.strip().upper()
    return candidate if _CODE_PATTERN.match(candidate) else None


def normalise_coupon(raw: str) -> str | None:
    """The canonical form of a coupon code as a shop reports it, or None if it cannot be one
    of ours. Shops change case (WooCommerce keeps coupon codes in lower case)."""
    candidate = raw.strip().upper()
    return candidate if _COUPON_PATTERN.match(candidate) else None


def coupon_code(prefix: str) -> str:
    """A single-use coupon code for the shop, e.g. ``SPRING-4XKM-9QTB-H7Q``."""
    body = new_random_part() + new_random_part()[:2]
    return f"{prefix}-{body[:4]}-{body[4:8]}-{body[8:]}"
