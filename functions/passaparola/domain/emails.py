"""Email addresses: checking, normalising for identity, and keying without storing them twice."""

from __future__ import annotations

import hashlib
import re

from disposable_email_domains import blocklist as _disposable_domains

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


def key(address: str) -> str:
    """A stable lookup key for a person's mailbox, used in table keys instead of the address."""
    return hashlib.sha256(identity(address).encode()).hexdigest()[:32]


def is_disposable(address: str) -> bool:
    domain = clean(address).rsplit("@", 1)[1]
    parts = domain.split(".")
    # Subdomains of a throwaway domain are throwaway too (x.mailinator.com).
    return any(".".join(parts[i:]) in _disposable_domains for i in range(len(parts) - 1))


def refuse_disposable(address: str) -> None:
    if is_disposable(address):
        raise RejectedEmail(
            "email uses a disposable (throwaway) domain; use a permanent address",
            code="disposable_email",
        )
