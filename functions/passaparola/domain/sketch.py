"""A HyperLogLog sketch of distinct visitors (precision 12: 4,096 registers, about 1.6% error).

One sketch per campaign day is kept with the day's counters, so the visitors of any range of
days are the estimate of the days' sketches merged register by register: no visitor id is
read again, and the cost of a report does not grow with its visitors.

A sketch is the registers as bytes, one byte each, and every function returns a new one.
`to_bytes`/`from_bytes` give the stored form: a version byte, then the registers compressed
(a day with few visitors is mostly zero registers and takes a few bytes).

The estimate is Ertl's improved estimator ("New cardinality estimation algorithms for
HyperLogLog sketches", 2017), which needs neither the small-range switch to linear counting
nor HLL++'s empirical bias tables, and stays unbiased from one item to billions.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from typing import NewType

PRECISION = 12
REGISTERS = 1 << PRECISION
_Q = 64 - PRECISION  # hash bits left after the register index
_VERSION = b"\x01"

Sketch = NewType("Sketch", bytes)


def empty() -> Sketch:
    return Sketch(bytes(REGISTERS))


def _hash64(item: str) -> int:
    # Hashed again whatever the caller's id already is, so any string spreads evenly.
    return int.from_bytes(hashlib.blake2b(item.encode(), digest_size=8).digest(), "big")


def add(sketch: Sketch, item_hash: str) -> Sketch:
    """The sketch with one more item (any string that identifies it, such as a visitor hash)."""
    hashed = _hash64(item_hash)
    index = hashed >> _Q
    rank = _Q - (hashed & ((1 << _Q) - 1)).bit_length() + 1  # leading zeros, plus one
    if sketch[index] >= rank:
        return sketch
    return Sketch(sketch[:index] + bytes((rank,)) + sketch[index + 1 :])


def merge(a: Sketch, b: Sketch) -> Sketch:
    """The sketch of the union of both sets: the larger of each pair of registers."""
    return Sketch(bytes(map(max, a, b)))


def estimate(sketch: Sketch) -> float:
    """How many distinct items were added (an estimate; standard error 1.04/sqrt(4096))."""
    counts = [0] * (_Q + 2)
    for register in sketch:
        counts[register] += 1
    if counts[0] == REGISTERS:
        return 0.0
    total = REGISTERS * _tau(1 - counts[_Q + 1] / REGISTERS)
    for k in range(_Q, 0, -1):
        total = (total + counts[k]) * 0.5
    total += REGISTERS * _sigma(counts[0] / REGISTERS)
    alpha = 1 / (2 * math.log(2))
    return alpha * REGISTERS * REGISTERS / total


def _sigma(x: float) -> float:
    if x == 1:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous, z = z, z + x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    if x in (0, 1):
        return 0.0
    y, z = 1.0, 1 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if z == previous:
            return z / 3


def to_bytes(sketch: Sketch) -> bytes:
    return _VERSION + zlib.compress(sketch, 9)


def from_bytes(data: bytes) -> Sketch:
    """A stored sketch; ValueError for anything that is not one."""
    if data[:1] != _VERSION:
        raise ValueError("not a stored visitor sketch (unknown version)")
    try:
        registers = zlib.decompress(data[1:])
    except zlib.error:
        raise ValueError("not a stored visitor sketch (not compressed)") from None
    if len(registers) != REGISTERS or max(registers) > _Q + 1:
        raise ValueError("not a stored visitor sketch (wrong registers)")
    return Sketch(registers)
