"""The private stats link: a token that proves which referral code it belongs to, and when it
was issued.

It is an HMAC over the code and the issue time, so `GET /referrers/me` can check it without a
database read. The link expires a set time after it was issued, and a newer link revokes the
older ones: the code item (read by the stats route anyway) holds `links_valid_from`. Leaking
a link shows someone's referral counts, never their email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
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
