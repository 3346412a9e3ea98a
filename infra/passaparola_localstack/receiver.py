"""The test store's event receiver: where the local brand's webhook endpoints point.

`serve` builds the rules from content/ as they will be deployed, then points each endpoint of
the brand files' `webhooks:` here (/_local/events/<endpoint id>) with a dev secret of its own,
so every event the stack produces is delivered, signed, to a receiver that checks it exactly
as the business's would, and is listed at /_local/events.json.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from passaparola.domain.campaign import Rules
from passaparola.domain.errors import InvalidSignature
from passaparola.domain.signatures import Verifier
from passaparola_localstack.provision import new_webhook_secret

PATH = "/_local/events/"


def point_webhooks(rules_path: Path, base_url: str) -> dict[str, str]:
    """Point every endpoint of the compiled rules at `base_url`'s receiver; a fresh dev secret
    for each, by endpoint id."""
    rules = Rules.model_validate_json(rules_path.read_bytes())
    brands = {
        slug: brand.model_copy(
            update={
                "webhooks": tuple(
                    hook.model_copy(update={"url": f"{base_url}{PATH}{hook.id}"}) for hook in brand.webhooks
                )
            }
        )
        for slug, brand in rules.brands.items()
    }
    rules_path.write_text(rules.model_copy(update={"brands": brands}).model_dump_json(), encoding="utf-8")
    return {hook.id: new_webhook_secret() for brand in brands.values() for hook in brand.webhooks}


@dataclass
class Received:
    id: str
    endpoint: str
    type: str | None
    verified: bool
    attempts: int = 1


@dataclass
class EventReceiver:
    """Checks each event's Standard Webhooks signature with its endpoint's secret and keeps one
    entry per webhook-id, counting the attempts; answers 204, or 400 for a bad signature (the
    sender then retries, as it would against a real receiver). An event sent to two endpoints
    is the same id at each, listed once for each."""

    secrets: Mapping[str, str]
    _received: dict[tuple[str, str], Received] = field(default_factory=dict)  # by endpoint, id
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, endpoint: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        secret = self.secrets.get(endpoint)
        if secret is None:
            return HTTPStatus.NOT_FOUND, b"no such endpoint"
        try:
            event_id = Verifier([secret]).verify(body, headers)
            verified = True
        except InvalidSignature:
            event_id = {k.lower(): v for k, v in headers.items()}.get("webhook-id", "")
            verified = False
        try:
            kind = json.loads(body).get("type")
        except (ValueError, AttributeError):
            kind = None
        with self._lock:
            seen = self._received.get((endpoint, event_id))
            if seen is None:
                self._received[endpoint, event_id] = Received(event_id, endpoint, kind, verified)
            else:
                seen.attempts += 1
                seen.verified = verified
        return (HTTPStatus.NO_CONTENT, b"") if verified else (HTTPStatus.BAD_REQUEST, b"bad signature")

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [vars(r).copy() for r in self._received.values()]
