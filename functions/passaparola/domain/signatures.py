"""Standard Webhooks signatures (https://www.standardwebhooks.com), for the shop's calls.

Verification is the `standardwebhooks` package: HMAC-SHA256 over "id.timestamp.body",
constant-time comparison, a 5-minute tolerance both ways, and any of several space-separated
v1 signatures. We add rotation on our side too: a request passes if it verifies under any
of the configured secrets, so a business can roll its secret without a window of failures.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime

from standardwebhooks import Webhook, WebhookVerificationError

from passaparola.domain.errors import InvalidSignature

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
_NO_MATCH = "no signature matches any current secret"


class Verifier:
    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ValueError("at least one webhook secret is required")
        self._webhooks = [Webhook(secret) for secret in secrets]

    def verify(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Check a signed request and return its webhook-id, or raise InvalidSignature."""
        lowered = {k.lower(): v for k, v in headers.items() if k.lower() in HEADERS}
        if len(lowered) != len(HEADERS):
            raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature header")
        reason = _NO_MATCH
        for webhook in self._webhooks:
            try:
                webhook.verify(body, lowered, json_parse=False)
            except WebhookVerificationError as exc:
                reason = _explain(str(exc))
                if reason != _NO_MATCH:
                    break  # a timestamp problem is the same under every secret
            except (ValueError, binascii.Error, UnicodeDecodeError):
                # The package raises these for a signature list it cannot split or decode.
                reason = "webhook-signature is malformed; expected 'v1,<base64>' entries separated by spaces"
                break
            else:
                return lowered["webhook-id"]
        raise InvalidSignature(reason)


def sign(body: bytes, msg_id: str, timestamp: datetime, secret: str) -> dict[str, str]:
    """The headers a sender attaches; used by the local test shop and the docs' examples."""
    signature = Webhook(secret).sign(msg_id, timestamp, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


def _explain(message: str) -> str:
    return {
        "Message timestamp too old": "webhook-timestamp is more than 5 minutes in the past",
        "Message timestamp too new": "webhook-timestamp is more than 5 minutes in the future",
        "Invalid Signature Headers": "webhook-timestamp is not a Unix time in seconds",
    }.get(message, _NO_MATCH)
