"""Email addresses: checking, normalising for identity, and keying a person without their address."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Container
from dataclasses import dataclass

from passaparola.domain.errors import InvalidInput, RejectedEmail
from passaparola.domain.text import control_character

# Deliberately simple: a full RFC 5322 parser accepts addresses no mail provider does.
# Top-level domains are letters, or an international one in its ASCII form (.рф is .xn--p1ai).
_SHAPE = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]{1,64}@(?=.{4,253}$)([a-z0-9-]{1,63}\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)

# Providers that deliver a.b+tag@ to ab@; only Gmail ignores the dots.
_DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})
_PLUS_TAGS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
    }
)
_CANONICAL_DOMAIN = {"googlemail.com": "gmail.com"}
# Forwarding services that hide a real, lasting mailbox behind a per-site alias. People use
# them for privacy, not to throw the address away, so no blocklist update may refuse them.
PRIVACY_RELAYS = frozenset(
    {
        "privaterelay.appleid.com",  # Apple's Hide My Email
        "mozmail.com",  # Firefox Relay
        "duck.com",  # DuckDuckGo Email Protection
        "simplelogin.com",  # SimpleLogin, and its alias domains below
        "simplelogin.co",
        "simplelogin.fr",
        "aleeas.com",
        "slmail.me",
        "silomails.com",
        "8alias.com",
        "8shield.net",
        "dralias.com",
    }
)


def clean(raw: str) -> str:
    """The address as typed, trimmed and lower-cased, its domain in the ASCII form mail and DNS
    use (bücher.example is xn--bcher-kva.example), or InvalidInput if it cannot be one."""
    found = control_character(raw)
    if found is not None:
        raise InvalidInput(f"email contains the control character {found}, which no address has")
    local, at, domain = raw.strip().lower().rpartition("@")
    if not at:
        raise InvalidInput("email is not a valid email address")
    if not domain.isascii() or "xn--" in domain:
        domain = _ascii_domain(domain)
    address = f"{local}@{domain}"
    if not _SHAPE.match(address):
        raise InvalidInput("email is not a valid email address")
    return address


def _ascii_domain(domain: str) -> str:
    """An internationalised domain name by IDNA 2008 with the UTS 46 mapping, as browsers and
    mail servers read it (the older IDNA 2003 would send faß.de's mail to fass.de)."""
    import idna  # only for the rare international domain

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError is one
        raise InvalidInput("email has a domain that is not a valid internationalised domain name") from None


def identity(address: str) -> str:
    """The mailbox an address really reaches, for telling one person from another.

    ``Anna.Rossi+shop@GoogleMail.com`` and ``annarossi@gmail.com`` are the same person.
    """
    local, domain = clean(address).rsplit("@", 1)
    domain = _CANONICAL_DOMAIN.get(domain, domain)
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def same_mailbox(address: str, other: str | None) -> bool:
    """Whether two addresses may reach one mailbox, as the self-referral check compares them:
    as `identity` does, and with a +tag folded on every domain, since most mail servers (a
    business's own among them) deliver ``ref+x@`` to ``ref@``. For comparison only: an address
    is kept, keyed and mailed as given. Dots stay folded only where the provider ignores them
    (``a.b@`` and ``ab@`` are two mailboxes on most domains)."""
    if not other:
        return False  # an erased referrer's address is gone; their key still compares
    try:
        return _untagged(address) == _untagged(other)
    except InvalidInput:
        return False


def _untagged(address: str) -> str:
    local, domain = identity(address).rsplit("@", 1)
    base, _, _ = local.partition("+")
    return f"{base or local}@{domain}"  # "+x@" has no base: it is its own mailbox


# The previous release keyed a person by this bare digest of their mailbox. Anyone with a copy
# of the table could hash a guessed address and find its items, so it is never stored now.
_PREVIOUS_KEY = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PersonKeys:
    """A person's key, in table keys and links instead of their address: a keyed hash (HMAC
    with the pepper) of their mailbox, so without the pepper no address can be checked against
    the table. The pepper must never change: a new one forgets every person."""

    pepper: bytes

    def of(self, address: str) -> str:
        """The key of the mailbox an address reaches (`identity`): one per person."""
        return self._keyed(hashlib.sha256(identity(address).encode()).hexdigest()[:32])

    def current(self, key: str) -> str:
        """A key as the previous release wrote it, turned into today's; today's as it is.

        Today's key is the keyed hash of the previous one (not of the address), so every old
        key turns into the new one without the address, which a person who deleted their data
        left nowhere: their kept unsubscribe and rewards move too, and so do links still in
        mailboxes."""
        return self._keyed(key) if is_previous(key) else key

    def _keyed(self, digest: str) -> str:
        # "k", which no hex digest starts with, tells today's keys from the previous ones.
        return "k" + hmac.new(self.pepper, b"person|" + digest.encode(), hashlib.sha256).hexdigest()[:32]


def is_previous(key: str) -> bool:
    """Whether a person's key is the previous release's bare digest (see PersonKeys.current)."""
    return _PREVIOUS_KEY.fullmatch(key) is not None


def _under(domain: str, domains: Container[str]) -> bool:
    """Whether the domain is one of `domains` or a subdomain of one (x.mailinator.com)."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts) - 1))


def _disposable_domains() -> Container[str]:
    # Imported on first use: the stream's consumers tell keys apart here and never read the list.
    from disposable_email_domains import blocklist

    return blocklist


def is_disposable(address: str) -> bool:
    domain = clean(address).rsplit("@", 1)[1]
    return not _under(domain, PRIVACY_RELAYS) and _under(domain, _disposable_domains())


def refuse_disposable(address: str) -> None:
    if is_disposable(address):
        raise RejectedEmail(
            "email uses a disposable (throwaway) domain; use a permanent address",
            code="disposable_email",
        )
