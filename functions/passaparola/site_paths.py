"""Where each page lives on the site. The Pelican build writes pages to these paths and the
functions link and redirect to them, so both import this one module."""

from __future__ import annotations


def invite(slug: str, lang: str) -> str:
    return f"/{lang}/{slug}/"


def landing(slug: str, lang: str) -> str:
    """The page a referred friend lands on, with ?ref=CODE."""
    return f"/{lang}/{slug}/welcome/"


def terms(slug: str, lang: str) -> str:
    return f"/{lang}/{slug}/terms/"


def stats(lang: str) -> str:
    return f"/{lang}/stats/"


def home(lang: str | None = None) -> str:
    return f"/{lang}/" if lang else "/"


def admin(lang: str) -> str:
    """The console, where a sign-in link lands."""
    return f"/{lang}/admin/"
