"""People sign in to the console with a link emailed to an address a brand file lists.

Asking answers the same whatever the address (services/link_requests.py), and the link goes
only to an admin: who administers the programme is not for whoever types an address to learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from passaparola.domain.admin import SIGN_IN_LIFETIME, Sessions, new_sign_in_token, token_digest
from passaparola.domain.campaign import Rules
from passaparola.domain.errors import Unauthorized
from passaparola.mail import catalogue
from passaparola.mail.layout import Letterhead
from passaparola.services import Clock, Links
from passaparola.services.ports import Mailer, SignInStore


@dataclass(frozen=True)
class Session:
    session: str
    expires_at: datetime
    email: str


@dataclass(frozen=True)
class SignInLinks:
    """The link queue's worker side: writes a token and mails it, to an admin only."""

    rules: Rules
    store: SignInStore
    mailer: Mailer
    links: Links
    clock: Clock

    def send(self, address: str, language: str) -> bool:
        """Whether the address is an admin's, and so was sent a link."""
        if address not in self.rules.admins:
            return False
        now, token = self.clock(), new_sign_in_token()
        self.store.create(token_digest(token), address, now, now + SIGN_IN_LIFETIME)
        brand = next(b for b in self.rules.brands.values() if address in b.admin_addresses)
        self.mailer.send(
            catalogue.admin_sign_in(
                to=address,
                lang=language,
                letterhead=Letterhead(brand, self.links.site_url),
                url=self.links.admin_sign_in(language, token),
                minutes=int(SIGN_IN_LIFETIME.total_seconds() // 60),
            )
        )
        return True


@dataclass(frozen=True)
class SignIn:
    rules: Rules
    store: SignInStore
    sessions: Sessions
    clock: Clock

    def redeem(self, token: str) -> Session:
        now = self.clock()
        email = self.store.redeem(token_digest(token), now)
        if email is None:
            raise Unauthorized("this sign-in link is used, expired or unknown; ask for a new one")
        if email not in self.rules.admins:
            raise Unauthorized("this address is no longer an admin")
        session, expires_at = self.sessions.issue(email, now)
        return Session(session, expires_at, email)
