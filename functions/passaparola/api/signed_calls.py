"""What every Standard Webhooks call of the shop's goes through, whichever route takes it
(POST /conversions and POST /refunds in api/shop_webhooks.py, a signed review in
api/admin_actions.py): the signature gate, and the delivery its idempotency record keys on
webhook-id. A module of its own, so a function that takes one such route loads no other's."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from passaparola import wiring
from passaparola.api import errors
from passaparola.domain.errors import InvalidSignature
from passaparola.observability import metrics

SIGNED: list[dict[str, list[str]]] = [{"standardWebhooks": []}]
Body = TypeVar("Body", bound=BaseModel)


def verify(event: dict[str, Any]) -> dict[str, Any] | None:
    """The gate: None when the signature is good, else the 401 answer."""
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    except ValueError:
        return errors.lambda_error(400, "malformed_body", "body is not valid base64")
    try:
        wiring.webhook_verifier().verify(raw, event.get("headers") or {})
    except InvalidSignature as exc:
        metrics.add_metric(name="SignatureRefused", unit=MetricUnit.Count, value=1)
        return errors.lambda_error(401, exc.code, exc.message)
    return None


@dataclass(frozen=True)
class Delivery(Generic[Body]):
    """One signed call as its idempotency record sees it: the webhook-id that keys it, and
    what a redelivery under that id must repeat: the validated body, and the route's
    parameters (the same id for another conversion's review is another request). powertools
    hashes the body as its model's JSON, so spacing and key order do not count."""

    webhook_id: str
    body: Body
    path: dict[str, str] = field(default_factory=dict)
