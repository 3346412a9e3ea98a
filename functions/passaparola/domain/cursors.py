"""Cursors of paged lists: where the next page starts, sealed so it cannot be altered.

A cursor is the position the table gave for the next page, as JSON in base64url, with an HMAC
over it. The caller can neither read a key shape it could exploit nor hand us a position of
its own making: anything that does not verify is `invalid_cursor`, a 422.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

from passaparola.domain.errors import InvalidInput

_PURPOSE = b"passaparola/cursor/v1"


def _refused() -> InvalidInput:
    return InvalidInput("cursor is not one this list gave; start again without it", code="invalid_cursor")


class Cursors:
    def __init__(self, key: bytes) -> None:
        self._key = hmac.new(key, _PURPOSE, hashlib.sha256).digest()  # a key for this use only

    def seal(self, position: Mapping[str, str]) -> str:
        raw = json.dumps(dict(position), sort_keys=True, separators=(",", ":")).encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw))}"

    def open(self, cursor: str) -> dict[str, str]:
        try:
            body, mac = cursor.split(".")
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            sent = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
        except (ValueError, binascii.Error):
            raise _refused() from None
        if not hmac.compare_digest(sent, self._mac(raw)):
            raise _refused()
        position = json.loads(raw)
        if not isinstance(position, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in position.items()
        ):
            raise _refused()  # pragma: no cover - only what seal() wrote carries a valid MAC
        return position

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
