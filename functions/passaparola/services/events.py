"""Telling the business what happened: events published from the table's stream, one queue
message per endpoint that wants each, and each delivered signed with its endpoint's secret."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from passaparola.domain import signatures
from passaparola.domain.campaign import Rules
from passaparola.domain.events import Delivery, Event
from passaparola.services.ports import EventQueue, Poster


class NoSecret(Exception):
    """An endpoint has no secret in OutgoingWebhookSecrets: it is retried until one is put there."""


@dataclass(frozen=True)
class EventPublisher:
    rules: Rules
    queue: EventQueue

    def publish(self, events: Sequence[Event]) -> int:
        """Queue each event once for each endpoint that wants it; how many messages."""
        deliveries = [
            Delivery(endpoint.id, event.id, event.body())
            for event in events
            for endpoint in self.rules.endpoints_for(event.campaign, event.type)
        ]
        if deliveries:
            self.queue.send(deliveries)
        return len(deliveries)


@dataclass(frozen=True)
class EventDelivery:
    rules: Rules
    secrets: Callable[[], Mapping[str, str]]  # endpoint id -> whsec_...
    post: Poster
    now: Callable[[], datetime]

    def deliver(self, delivery: Delivery) -> bool:
        """Post one event to one endpoint, signed (Standard Webhooks, the event's id as the
        webhook-id). False for an endpoint no longer in the brand file: nothing to retry.
        Raises when it should be tried again."""
        endpoint = self.rules.endpoint(delivery.endpoint)
        if endpoint is None:
            return False
        secret = self.secrets().get(endpoint.id)
        if not secret:
            raise NoSecret(f"no secret for endpoint {endpoint.id!r} in OutgoingWebhookSecrets")
        headers = signatures.sign(delivery.body, delivery.event_id, self.now(), secret)
        self.post(endpoint.url, delivery.body, headers | {"content-type": "application/json"})
        return True
