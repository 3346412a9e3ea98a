"""The email the functions sent, read back from moto's SES: each raw MIME message, as SES got
it, parsed into its headers and its parts. The outbox page and the tests read it."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any


def sent(account: str, region: str) -> list[dict[str, Any]]:
    """Every email sent so far, oldest first."""
    from moto.ses.models import ses_backends

    return [read(message.id, message.raw_data) for message in ses_backends[account][region].sent_messages]


def read(message_id: str, raw: str) -> dict[str, Any]:
    """One email: who to, the subject and every header (decoded), the text and HTML parts."""
    message = message_from_string(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return {
        "id": message_id,
        "to": [address for _, address in getaddresses(message.get_all("to", []))],
        "subject": str(message["subject"]),
        "headers": [[name, str(value)] for name, value in message.items()],
        "text": _part(message, "plain"),
        "html": _part(message, "html"),
    }


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return str(body.get_content()) if body is not None and body.get_content_subtype() == subtype else ""
