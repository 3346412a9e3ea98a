"""Signed links: the private stats link (a token that proves which referral code it belongs to,
and when it was issued), and the unsubscribe link (below).

It is an HMAC over the code and the issue time, so `GET /referrers/me` can check it without a
database read. The link expires a set time after it was issued, and a newer link revokes the
older ones: the code item (read by the stats route anyway) holds `links_valid_from`. Leaking
a link shows someone's referral counts, never their email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from passaparola.domain.errors import InvalidToken

DEFAULT_LIFETIME = timedelta(days=90)
# v1 tokens carried an expiry a year out; they are not accepted any more.
_PURPOSE = b"passaparola/stats/v2"


@dataclass(frozen=True)
class StatsLink:
    code: str
    issued_at: int  # Unix seconds

    def revoked_by(self, links_valid_from: int | None) -> bool:
        """Whether a newer link, issued from `links_valid_from` on, has replaced this one."""
        return links_valid_from is not None and self.issued_at < links_valid_from


def link_epoch(now: datetime) -> int:
    """The resolution of issue times: what a token says and what `links_valid_from` holds."""
    return int(now.timestamp())


class StatsTokens:
    def __init__(self, key: bytes, lifetime: timedelta = DEFAULT_LIFETIME) -> None:
        if len(key) < 32:
            raise ValueError("the stats token key must be at least 32 bytes")
        self._key = key
        self.lifetime = lifetime

    def issue(self, code: str, now: datetime) -> str:
        issued = link_epoch(now)
        return f"{code}.{issued}.{self._mac(code, issued)}"

    def verify(self, token: str, now: datetime) -> StatsLink:
        """The code and issue time the token was made for, or InvalidToken."""
        try:
            code, issued_text, mac = token.split(".")
            issued = int(issued_text)
        except ValueError:
            raise InvalidToken("the stats link is malformed; open it again from your email") from None
        if not hmac.compare_digest(mac.encode(), self._mac(code, issued).encode()):
            raise InvalidToken("the stats link is not valid; open it again from your email")
        if now.timestamp() > issued + self.lifetime.total_seconds():
            raise InvalidToken("the stats link has expired; enrol again with your email to get a new one")
        return StatsLink(code, issued)

    def _mac(self, code: str, issued: int) -> str:
        digest = hmac.new(self._key, b"%s|%s|%d" % (_PURPOSE, code.encode(), issued), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- unsubscribe links -----------------------------------------------------------------------

_UNSUBSCRIBE = b"passaparola/unsubscribe/v1"
# RFC 8058: what an email's List-Unsubscribe-Post header says, and the body a mail client POSTs.
ONE_CLICK = "List-Unsubscribe=One-Click"
# The key is a person's (emails.PersonKeys), or the previous release's bare one in a link it mailed.
UNSUBSCRIBE_LINK_SHAPE = r"^([a-z0-9]+(?:-[a-z0-9]+)*)\.(k?[0-9a-f]{32})\.([A-Za-z0-9_-]{22})$"
_UNSUBSCRIBE_SHAPE = re.compile(UNSUBSCRIBE_LINK_SHAPE)


@dataclass(frozen=True)
class OptOut:
    """Who stops which email: an address, by its key (never the address), and a campaign."""

    email_key: str
    campaign: str


class UnsubscribeTokens:
    """The token in an unsubscribe link: the campaign and the address's key, with an HMAC over
    both, so a link unsubscribes exactly the address it was mailed to. It does not expire: an
    email read a year later must still unsubscribe in one click."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the unsubscribe token key must be at least 32 bytes")
        self._key = key

    def issue(self, opt_out: OptOut) -> str:
        return f"{opt_out.campaign}.{opt_out.email_key}.{self._mac(opt_out)}"

    def verify(self, token: str) -> OptOut:
        """What the token unsubscribes, or InvalidToken for anything it did not issue."""
        shape = _UNSUBSCRIBE_SHAPE.match(token)
        if shape is None:
            raise InvalidToken("the unsubscribe link is malformed; open it again from the email")
        opt_out = OptOut(email_key=shape[2], campaign=shape[1])
        if not hmac.compare_digest(shape[3].encode(), self._mac(opt_out).encode()):
            raise InvalidToken("the unsubscribe link is not valid; open it again from the email")
        return opt_out

    def _mac(self, opt_out: OptOut) -> str:
        message = b"%s|%s|%s" % (_UNSUBSCRIBE, opt_out.campaign.encode(), opt_out.email_key.encode())
        # 128 bits are plenty against guessing, and keep the link short.
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- my-data links ---------------------------------------------------------------------------

_MY_DATA = b"passaparola/my-data/v1"
DATA_LINK_LIFETIME = timedelta(hours=1)
# `d.` keeps it apart from a stats token (three parts) sent to the same routes.
_DATA_SHAPE = re.compile(r"^d\.(k?[0-9a-f]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class DataLink:
    email_key: str
    issued_at: int  # Unix seconds

    def closed_by(self, data_links_from: int | None) -> bool:
        """Whether a deletion closed this link: it, and every link issued before it, is used."""
        return data_links_from is not None and self.issued_at < data_links_from


class DataTokens:
    """The token in a my-data link: an address's key and when it was issued, with an HMAC over
    both (under the stats links' key, with its own purpose), valid for an hour. It lets whoever
    holds it read and delete everything kept under that key, so it is short-lived, only ever
    emailed to the address itself, and deletes once: the deletion it made closes it (the
    address's kept record says from when links open anything again)."""

    def __init__(self, key: bytes, lifetime: timedelta = DATA_LINK_LIFETIME) -> None:
        if len(key) < 32:
            raise ValueError("the data link key must be at least 32 bytes")
        self._key = key
        self.lifetime = lifetime

    def issue(self, email_key: str, now: datetime) -> str:
        issued = link_epoch(now)
        return f"d.{email_key}.{issued}.{self._mac(email_key, issued)}"

    @staticmethod
    def is_one(token: str) -> bool:
        return token.startswith("d.")

    def verify(self, token: str, now: datetime) -> str:
        """The address key the token was issued for, or InvalidToken."""
        return self.read(token, now).email_key

    def read(self, token: str, now: datetime) -> DataLink:
        """The address key the token was issued for, and when, or InvalidToken."""
        shape = _DATA_SHAPE.match(token)
        if shape is None:
            raise InvalidToken("the data link is malformed; ask for a new one")
        email_key, issued = shape[1], int(shape[2])
        if not hmac.compare_digest(shape[3].encode(), self._mac(email_key, issued).encode()):
            raise InvalidToken("the data link is not valid; ask for a new one")
        if now.timestamp() > issued + self.lifetime.total_seconds():
            raise InvalidToken("the data link has expired; ask for a new one")
        return DataLink(email_key, issued)

    def _mac(self, email_key: str, issued: int) -> str:
        message = b"%s|%s|%d" % (_MY_DATA, email_key.encode(), issued)
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
