"""Outgoing email through SES (v2), as raw MIME: multipart/alternative with a plain-text and an
HTML part, and headers of our own (List-Unsubscribe, Content-Language...). Locally SES is
moto, and the outbox page shows what was sent.

Built with the email package's compat32 classes on purpose: its Header class splits a long
non-ASCII subject into encoded words with every space kept, where the newer folding drops a
space between encoded words (or, with a longer line limit, writes one overlong word); and it
leaves an ASCII header such as List-Unsubscribe's URL as plain text, where the newer folding
encodes it and mail clients could no longer read the URL.
"""

from __future__ import annotations

from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import formataddr, formatdate

from passaparola.domain.mail import Email
from passaparola.domain.tokens import ONE_CLICK
from passaparola.storage import aws


def mime(email: Email, sender: str, date: str) -> bytes:
    """The whole message, as SES sends it."""
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP  # readable source, and lines kept under 76 characters
    message = MIMEMultipart("alternative")
    message["From"] = formataddr((email.sender_name, sender), charset="utf-8")
    message["To"] = email.to
    message["Reply-To"] = email.reply_to
    # A compat32 message takes a Header (which typeshed's str-only signature does not know).
    charset = "us-ascii" if email.subject.isascii() else "utf-8"
    message["Subject"] = Header(email.subject, charset, header_name="Subject")  # type: ignore[assignment]
    message["Date"] = date
    message["Content-Language"] = email.lang
    # RFC 3834: sent by a program, so auto-responders ("I am on holiday") should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{email.unsubscribe.one_click_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    # Clients show the last part they can: plain text first, HTML after it.
    for subtype, content in (("plain", email.text), ("html", email.html)):
        part = MIMENonMultipart("text", subtype)
        part.set_payload(content, utf8)
        message.attach(part)
    # Lines of 76 characters keep each encoded word within RFC 2047's 75 (at 78, the default,
    # Python writes words of 76); lines end in CRLF, as on the wire.
    return message.as_bytes(policy=compat32.clone(max_line_length=76, linesep="\r\n"))


class Mailer:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, email: Email) -> None:
        # The bare address as FromEmailAddress: it is what the role's ses:FromAddress condition
        # compares; the brand's name travels in the message's own From header.
        aws.client("sesv2").send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [email.to]},
            Content={"Raw": {"Data": mime(email, self.sender, formatdate(usegmt=True))}},
        )
