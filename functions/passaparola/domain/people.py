"""How a referrer is named to the friends they invite."""

from __future__ import annotations

import re
import unicodedata

from passaparola.domain.errors import InvalidInput

MAX_NAME = 40


def display_name(raw: str | None) -> str | None:
    """The name shown on the landing page ("Anna gives you 10% off"), or None.

    Any characters are allowed, markup included: pages insert it as text. What is refused is
    what would leak or mislead: an email address, a link, control characters.
    """
    if raw is None:
        return None
    name = re.sub(r"\s+", " ", raw).strip()
    if not name:
        return None
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InvalidInput("name contains control characters")
    if "@" in name or "://" in name or re.search(r"\bwww\.", name, re.IGNORECASE):
        raise InvalidInput("name must be a name, not an email address or a link")
    return name
