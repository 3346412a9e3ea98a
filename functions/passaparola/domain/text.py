"""Text from outside: the characters that have no place in an address someone typed."""

from __future__ import annotations

import unicodedata

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def control_character(raw: str) -> str | None:
    """The first control or invisible character in `raw` (NUL, CR, LF, ESC, DEL, the C1 controls,
    zero-width and bidirectional marks, lone surrogates: Unicode's "C" categories), named as
    U+XXXX, or None. Such characters split mail headers, or hide or spoof an address."""
    found = next((c for c in raw if unicodedata.category(c).startswith("C")), None)
    return f"U+{ord(found):04X}" if found is not None else None


def _refuse_control_character(value: object) -> object:
    found = control_character(value) if isinstance(value, str) else None
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "contains the control character {found}, which no address has",
            {"found": found},
        )
    return value


# A field validator that looks before whitespace is stripped: "anna@example.com\n" is refused too.
NoControlCharacter = BeforeValidator(_refuse_control_character)
