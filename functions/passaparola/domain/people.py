"""How a referrer is named to the friends they invite."""

from __future__ import annotations

import re
import unicodedata

from passaparola.domain.errors import InvalidInput

MAX_NAME = 40
MAX_FRIEND_NAME = 60  # what a friend may type on the claim form
MAX_BOARD_NAME = 30  # a leaderboard's display name
_FIRST_NAME_SHOWN = 24  # a first name longer than this is cut (with an ellipsis) in lists


def display_name(raw: str | None, limit: int = MAX_NAME) -> str | None:
    """The name shown on the landing page ("Anna gives you 10% off"), or None.

    Any characters are allowed, markup included: pages insert it as text. What is refused is
    what would leak or mislead: an email address, a link, control characters.
    """
    if raw is None:
        return None
    name = re.sub(r"\s+", " ", raw).strip()
    if not name:
        return None
    if len(name) > limit:
        raise InvalidInput(f"name is longer than {limit} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InvalidInput("name contains control characters")
    if "@" in name or "://" in name or re.search(r"\bwww\.", name, re.IGNORECASE):
        raise InvalidInput("name must be a name, not an email address or a link")
    return name


def short_name(name: str | None) -> str | None:
    """How a person is shown to others in a list: first name and last initial ("Anna K."),
    the first name alone when only one was given, None when none was. Computed from a name
    `display_name` has already accepted."""
    words = (name or "").split()
    if not words:
        return None
    first = words[0]
    if len(first) > _FIRST_NAME_SHOWN:
        first = first[: _FIRST_NAME_SHOWN - 1] + "…"
    initial = next((ch for ch in words[-1] if ch.isalpha()), None) if len(words) > 1 else None
    return f"{first} {initial.upper()}." if initial else first
