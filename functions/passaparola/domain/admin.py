"""Who may use the business's routes: machine keys, sign-in links and people's sessions.

- A machine key is `ppk_<random>`, several valid at once (so one can be rotated out), kept in
  Secrets Manager and compared in constant time with every valid key.
- A person asks for a sign-in link for an address listed in a brand file's `admins:`. The
  link carries a random single-use token, kept only as its SHA-256 digest, valid 15 minutes.
- Redeeming it gives a session `pps_<email>.<expiry>.<HMAC>`: checked without a read, valid
  12 hours, and only while the address is still listed.

Any other bearer (a referrer's stats token among them) is no credential here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from passaparola.domain.errors import NotFound, Unauthorized
from passaparola.domain.records import Owner, RewardRef

KEY_PREFIX = "ppk_"
SESSION_PREFIX = "pps_"
SESSION_LIFETIME = timedelta(hours=12)
SIGN_IN_LIFETIME = timedelta(minutes=15)
_MIN_KEY_LENGTH = 24  # characters after the prefix
_SESSION_PURPOSE = b"passaparola/admin-session/v1"
_NO_CREDENTIAL = "send an admin key or session as 'Authorization: Bearer <credential>'"
_BAD_CREDENTIAL = "this credential is not valid here; sign in again or use a current admin key"


@dataclass(frozen=True)
class Admin:
    """Who is acting: a machine key or a signed-in person."""

    kind: Literal["key", "person"]
    id: str  # the key's first 8 characters, or the person's email

    @property
    def recorded_as(self) -> str:
        """How a decision names who made it."""
        return f"key:{self.id}" if self.kind == "key" else self.id


def bearer(authorization: str | None) -> str:
    """The credential of an `Authorization: Bearer ...` header, or Unauthorized."""
    scheme, _, credential = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthorized(_NO_CREDENTIAL)
    return credential.strip()


class MachineKeys:
    """The valid admin keys. Each entry of the secret may be written with or without `ppk_`."""

    def __init__(self, entries: Iterable[str]) -> None:
        keys = [e if e.startswith(KEY_PREFIX) else KEY_PREFIX + e for e in entries]
        if not keys or any(len(k) < len(KEY_PREFIX) + _MIN_KEY_LENGTH for k in keys):
            raise ValueError(f"admin keys must be at least {_MIN_KEY_LENGTH} characters after {KEY_PREFIX}")
        self._keys = [k.encode() for k in keys]

    def check(self, credential: str) -> Admin:
        presented = credential.encode()
        # Every key is compared, whichever matches, so the time taken tells nothing.
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(presented, key)
        if not matched:
            raise Unauthorized(_BAD_CREDENTIAL)
        return Admin("key", credential[:8])


class Sessions:
    def __init__(self, key: bytes, lifetime: timedelta = SESSION_LIFETIME) -> None:
        if len(key) < 32:
            raise ValueError("the admin session key must be at least 32 bytes")
        self._key = key
        self.lifetime = lifetime

    def issue(self, email: str, now: datetime) -> tuple[str, datetime]:
        expires = int((now + self.lifetime).timestamp())
        who = base64.urlsafe_b64encode(email.encode()).rstrip(b"=").decode()
        return f"{SESSION_PREFIX}{who}.{expires}.{self._mac(who, expires)}", datetime.fromtimestamp(
            expires, UTC
        )

    def verify(self, session: str, now: datetime) -> str:
        """The email the session was issued to, or Unauthorized."""
        try:
            who, expires_text, mac = session.removeprefix(SESSION_PREFIX).split(".")
            expires = int(expires_text)
            email = base64.urlsafe_b64decode(who + "=" * (-len(who) % 4)).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise Unauthorized(_BAD_CREDENTIAL) from None
        if not hmac.compare_digest(mac.encode(), self._mac(who, expires).encode()):
            raise Unauthorized(_BAD_CREDENTIAL)
        if now.timestamp() >= expires:
            raise Unauthorized("this session has expired; sign in again")
        return email

    def _mac(self, who: str, expires: int) -> str:
        message = b"%s|%s|%d" % (_SESSION_PURPOSE, who.encode(), expires)
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class Credentials:
    """Tells an admin from anyone else, given the valid keys, the session key and the admins."""

    keys: MachineKeys
    sessions: Sessions
    admins: frozenset[str]

    def check(self, authorization: str | None, now: datetime) -> Admin:
        credential = bearer(authorization)
        if credential.startswith(KEY_PREFIX):
            return self.keys.check(credential)
        if credential.startswith(SESSION_PREFIX):
            email = self.sessions.verify(credential, now)
            if email not in self.admins:
                raise Unauthorized("this address is no longer an admin")
            return Admin("person", email)
        raise Unauthorized(_BAD_CREDENTIAL)


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a sign-in token: a leaked table gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def admins_of(lists: Iterable[Sequence[str]]) -> frozenset[str]:
    return frozenset(address.lower() for addresses in lists for address in addresses)


def public_reward_id(ref: RewardRef) -> str:
    """A reward's id as admins see it: opaque, stable, and naming nothing of the table."""
    raw = f"{ref.owner.kind}|{ref.owner.id}|{ref.reward_id}".encode()
    return "rw_" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def reward_ref(public_id: str) -> RewardRef:
    """The reward an admin's id names, or NotFound for anything that is not such an id."""
    try:
        body = public_id.removeprefix("rw_")
        kind, owner, reward_id = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotFound("no such reward") from None
    if not public_id.startswith("rw_") or not owner or not reward_id:
        raise NotFound("no such reward")
    if kind == "referrer":
        return RewardRef(Owner.referrer(owner), reward_id)
    if kind == "friend":
        return RewardRef(Owner.friend(owner), reward_id)
    raise NotFound("no such reward")
