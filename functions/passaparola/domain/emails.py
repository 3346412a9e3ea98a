"""Email addresses: checking, normalising for identity, and keying without storing them twice."""

from __future__ import annotations

import hashlib
import re

from disposable_email_domains import blocklist as _disposable_domains

from passaparola.domain.errors import InvalidInput, RejectedEmail

# Deliberately simple: a full RFC 5322 parser accepts addresses no mail provider does.
_SHAPE = re.compile(r"^[^@\s<>(),;:\"\[\]\\]{1,64}@(?=.{4,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")

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
    """The address as typed, trimmed and lower-cased, or InvalidInput if it cannot be one."""
    address = raw.strip().lower()
    if not _SHAPE.match(address):
        raise InvalidInput("email is not a valid email address")
    return address


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
