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


def unsubscribe(lang: str) -> str:
    """Asks before unsubscribing the address an email's link names (in the fragment)."""
    return f"/{lang}/unsubscribe/"


def my_data(lang: str) -> str:
    """Where a person asks for, reads and deletes what the kit holds about them."""
    return f"/{lang}/my-data/"


def home(lang: str | None = None) -> str:
    return f"/{lang}/" if lang else "/"


def email_image(brand: str, name: str) -> str:
    """A brand's image for emails. Its address never changes, so emails already in inboxes
    keep showing it: a new logo replaces the file."""
    return f"/email/{brand}/{name}"


def admin(lang: str) -> str:
    """The console, where a sign-in link lands."""
    return f"/{lang}/admin/"
