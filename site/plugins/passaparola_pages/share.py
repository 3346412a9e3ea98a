"""The share panel's links: each network's own plain share URL, and no script of theirs.

A referrer's personal link exists only once they enrol, in the browser, so every URL is built
here around PLACEHOLDER, with the words around it already URL-encoded; the page's script
swaps in the encoded link. The campaign chooses the channels and their order, and its words
(share_message, email_subject) are the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from passaparola.domain.campaign import Channel

# Only URL-safe characters, so quoting the words around it leaves it whole.
PLACEHOLDER = "__LINK__"

# Channels that open another app or site; the rest (copy, native, qr) are buttons on the page.
LINK_CHANNELS: tuple[Channel, ...] = ("email", "sms", "whatsapp", "telegram", "x", "facebook", "linkedin")
# The networks' own names are not translated.
NETWORK_NAMES: dict[Channel, str] = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "x": "X",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
}


@dataclass(frozen=True)
class ShareLink:
    channel: Channel
    href: str
    # Web share pages open beside the campaign page; mailto: and sms: hand over to an app.
    new_tab: bool


def _q(text: str) -> str:
    return quote(text, safe="")


def share_href(channel: Channel, message: str, subject: str) -> str:
    """The share URL of one channel, with PLACEHOLDER where the encoded personal link goes."""
    match channel:
        case "email":
            return f"mailto:?subject={_q(subject)}&body={_q(message + chr(10) * 2)}{PLACEHOLDER}"
        case "sms":
            return f"sms:?body={_q(message + ' ')}{PLACEHOLDER}"
        case "whatsapp":
            return f"https://wa.me/?text={_q(message + ' ')}{PLACEHOLDER}"
        case "telegram":
            return f"https://t.me/share/url?url={PLACEHOLDER}&text={_q(message)}"
        case "x":
            return f"https://x.com/intent/tweet?text={_q(message)}&url={PLACEHOLDER}"
        case "facebook":
            return f"https://www.facebook.com/sharer/sharer.php?u={PLACEHOLDER}"
        case "linkedin":
            return f"https://www.linkedin.com/sharing/share-offsite/?url={PLACEHOLDER}"
    raise ValueError(f"{channel!r} is not a link channel")


def share_links(channels: tuple[Channel, ...], message: str, subject: str) -> dict[Channel, ShareLink]:
    return {
        channel: ShareLink(channel, share_href(channel, message, subject), channel not in ("email", "sms"))
        for channel in channels
        if channel in LINK_CHANNELS
    }
