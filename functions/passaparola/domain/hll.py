"""HyperLogLog sketches: how many distinct visitors a campaign had, in a few kilobytes.

A day's sketch is 4,096 one-byte registers (precision 12); the estimate's standard error is
1.04 / sqrt(4096), about 1.6%. Sketches merge register by register (the larger wins), so the
visitors of any range of days is the estimate of the merged sketches, and adding a visitor
twice, or merging a sketch into itself, changes nothing: a retried merge is harmless.

Stored as zlib-compressed registers: a quiet day's sketch is mostly zeros and takes a few
dozen bytes, a busy one about 3 KB.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Iterable

PRECISION = 12
REGISTERS = 1 << PRECISION
_REST = 64 - PRECISION
_ALPHA = 0.7213 / (1 + 1.079 / REGISTERS)


def empty() -> bytearray:
    return bytearray(REGISTERS)


def decode(blob: bytes | None) -> bytearray:
    """The registers of a stored sketch (an absent one is empty)."""
    if not blob:
        return empty()
    registers = bytearray(zlib.decompress(blob))
    if len(registers) != REGISTERS:
        raise ValueError(f"a sketch has {REGISTERS} registers, not {len(registers)}")
    return registers


def encode(registers: bytearray) -> bytes:
    return zlib.compress(bytes(registers), 9)


def add(registers: bytearray, visitors: Iterable[str]) -> bool:
    """Count each visitor (any string: it is hashed here) in place; True if a register rose."""
    changed = False
    for visitor in visitors:
        hashed = int.from_bytes(hashlib.blake2b(visitor.encode(), digest_size=8).digest(), "big")
        index = hashed >> _REST
        rest = hashed & ((1 << _REST) - 1)
        rank = _REST - rest.bit_length() + 1
        if rank > registers[index]:
            registers[index] = rank
            changed = True
    return changed


def merge(registers: bytearray, other: bytes | bytearray) -> bool:
    """Merge `other`'s registers into `registers` in place; True if a register rose."""
    changed = False
    for index, value in enumerate(other):
        if value > registers[index]:
            registers[index] = value
            changed = True
    return changed


def estimate(registers: bytes | bytearray) -> int:
    """The estimated number of distinct visitors added (linear counting while few registers
    are set, where HyperLogLog's raw estimate is biased)."""
    raw = _ALPHA * REGISTERS * REGISTERS / math.fsum(2.0**-value for value in registers)
    zeros = registers.count(0)
    if raw <= 2.5 * REGISTERS and zeros:
        return round(REGISTERS * math.log(REGISTERS / zeros))
    return round(raw)
