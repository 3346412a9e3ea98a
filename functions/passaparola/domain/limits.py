"""Per-client rate limits: fixed windows, counted per client (`domain.clients`), never per raw
address."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Window:
    start: int  # Unix seconds
    end: int

    def retry_after(self, now: datetime) -> int:
        """Seconds until the window ends, for a Retry-After header (at least 1)."""
        return max(1, math.ceil(self.end - now.timestamp()))


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Reads "30/60": 30 requests per 60 seconds."""
        hits, _, seconds = text.partition("/")
        try:
            limit = cls(int(hits), int(seconds))
        except ValueError:
            raise ValueError(f"a rate limit is <requests>/<seconds>, e.g. 30/60, not {text!r}") from None
        if limit.hits < 1 or limit.seconds < 1:
            raise ValueError(f"a rate limit needs at least 1 request in at least 1 second, not {text!r}")
        return limit

    def window(self, now: datetime) -> Window:
        epoch = int(now.timestamp())
        start = epoch - epoch % self.seconds
        return Window(start, start + self.seconds)
