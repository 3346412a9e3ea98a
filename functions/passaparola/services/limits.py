"""Per-client rate limits on the public routes, and per-address ones on the routes that mail
a link to the address typed (README, "Limits").

Enrolment, claims and code look-ups count in the table, so every Lambda instance sees the
same count. Clicks count in the instance's memory: a counted click must stay one DynamoDB
write, and a click flood spread over many instances is what the optional WAF rule is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.domain.clients import address_key, client_key
from passaparola.domain.errors import RateLimited
from passaparola.domain.limits import Limit
from passaparola.services import Clock
from passaparola.services.ports import LimitStore


@dataclass(frozen=True)
class RateLimiter:
    """One route's limit, shared by every instance through the table."""

    route: str
    limit: Limit
    store: LimitStore
    salt: bytes
    clock: Clock

    def hit(self, address: str) -> None:
        """Count a request from `address`, or raise RateLimited when its window is full."""
        now = self.clock()
        window = self.limit.window(now)
        if not self.store.hit(self.route, client_key(self.salt, address), window, self.limit.hits):
            raise RateLimited(window.retry_after(now))


@dataclass(frozen=True)
class AddressRateLimiter:
    """A route's limit per email address typed (a few an hour), shared through the table and
    counted under a keyed hash of the mailbox. Every address counts alike, whether or not the
    kit knows it, so the refusal tells nothing about it."""

    route: str
    limit: Limit
    store: LimitStore
    salt: bytes
    clock: Clock

    def hit(self, email: str) -> None:
        """Count a request for `email`, or raise RateLimited when its window is full."""
        now = self.clock()
        window = self.limit.window(now)
        if not self.store.hit(self.route, address_key(self.salt, email), window, self.limit.hits):
            raise RateLimited(window.retry_after(now), "for this address")


class InstanceRateLimiter:
    """A limit counted in this instance's memory, with no call to anything."""

    def __init__(self, limit: Limit, salt: bytes, clock: Clock) -> None:
        self.limit = limit
        self.salt = salt
        self.clock = clock
        self._window_start: int | None = None
        self._hits: dict[str, int] = {}

    def hit(self, address: str) -> None:
        now = self.clock()
        window = self.limit.window(now)
        if window.start != self._window_start:  # a new window: forget the last one's clients
            self._window_start, self._hits = window.start, {}
        client = client_key(self.salt, address)
        if self._hits.get(client, 0) >= self.limit.hits:
            raise RateLimited(window.retry_after(now))
        self._hits[client] = self._hits.get(client, 0) + 1
