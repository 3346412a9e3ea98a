"""An email as the kit sends it: its parts and, for one the person did not ask for, how to stop
such email. The services make them; the mail adapter (storage/mailer.py) sends them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unsubscribe:
    """What an email that does not answer the person's own action carries: how to stop such
    email for this address (by its key) and campaign, in one click from the mail client
    (`one_click_url`, POSTed, RFC 8058) or from a link in the body (a page that asks first)."""

    email_key: str
    campaign: str
    one_click_url: str
    page_url: str


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    lang: str
    sender_name: str  # the brand, on the From line
    reply_to: str  # the brand's contact address: replies reach people, not the sending address
    unsubscribe: Unsubscribe | None = None
