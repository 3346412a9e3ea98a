"""The private stats link: a token that proves which referral code it belongs to.

It is an HMAC over the code and an expiry, so `GET /referrers/me` can check it without a
database read. Leaking it shows someone's referral counts, never their email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from passaparola.domain.errors import InvalidToken

LIFETIME = timedelta(days=365)
_PURPOSE = b"passaparola/stats/v1"


class StatsTokens:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the stats token key must be at least 32 bytes")
        self._key = key

    def issue(self, code: str, now: datetime) -> str:
        expires = int((now + LIFETIME).timestamp())
        return f"{code}.{expires}.{self._mac(code, expires)}"

    def verify(self, token: str, now: datetime) -> str:
        """The referral code the token was issued for, or InvalidToken."""
        try:
            code, expires_text, mac = token.split(".")
            expires = int(expires_text)
        except ValueError:
            raise InvalidToken("the stats link is malformed; open it again from your email") from None
        if not hmac.compare_digest(mac.encode(), self._mac(code, expires).encode()):
            raise InvalidToken("the stats link is not valid; open it again from your email")
        if now.timestamp() > expires:
            raise InvalidToken("the stats link has expired; enrol again with your email to get a new one")
        return code

    def _mac(self, code: str, expires: int) -> str:
        digest = hmac.new(
            self._key, b"%s|%s|%d" % (_PURPOSE, code.encode(), expires), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
