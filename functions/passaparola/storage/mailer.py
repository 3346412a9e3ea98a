"""Outgoing email through SES (v2). Locally SES is moto, and the outbox page shows what was sent."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.storage import aws


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


class Mailer:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, email: Email) -> None:
        aws.client("sesv2").send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [email.to]},
            Content={
                "Simple": {
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": email.text, "Charset": "UTF-8"},
                        "Html": {"Data": email.html, "Charset": "UTF-8"},
                    },
                }
            },
        )
