"""Sending email, and the rule about unsubscribing: an email that carries an unsubscribe (one
that does not answer something the person just did) is not sent to an address that has
unsubscribed from its campaign. A direct answer (their link, their gift) always goes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from passaparola.domain.campaign import BrandContact
from passaparola.domain.emails import PersonKeys
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.tokens import OptOut, UnsubscribeTokens
from passaparola.mail.layout import Letterhead
from passaparola.services import Clock, Links
from passaparola.services.ports import Mailer, OptOutStore


@dataclass(frozen=True)
class Mail:
    mailer: Mailer
    opt_outs: OptOutStore
    # Read on first use: a function that only sends direct answers never reads the key.
    tokens: Callable[[], UnsubscribeTokens]
    links: Links

    def letterhead(self, brand: BrandContact) -> Letterhead:
        return Letterhead(brand, self.links.site_url)

    def unsubscribe(self, email_key: str, campaign: str, lang: str) -> Unsubscribe:
        """The links that unsubscribe this address from this campaign's emails."""
        token = self.tokens().issue(OptOut(email_key, campaign))
        return Unsubscribe(
            email_key, campaign, self.links.one_click(token), self.links.unsubscribe(lang, token)
        )

    def send(self, email: Email) -> bool:
        """Whether it went: not to an address that unsubscribed from what the email is about."""
        stop = email.unsubscribe
        if stop is not None and self.opt_outs.has(OptOut(stop.email_key, stop.campaign)):
            return False
        self.mailer.send(email)
        return True


@dataclass(frozen=True)
class Unsubscribes:
    """POST /unsubscribe/{token}: from a mail client's one click, or the page's button."""

    tokens: UnsubscribeTokens
    opt_outs: OptOutStore
    person_keys: PersonKeys
    clock: Clock

    def unsubscribe(self, token: str) -> OptOut:
        mailed = self.tokens.verify(token)
        # A link is good for years: one mailed by the previous release names its previous key.
        opt_out = OptOut(self.person_keys.current(mailed.email_key), mailed.campaign)
        self.opt_outs.add(opt_out, self.clock())
        return opt_out
