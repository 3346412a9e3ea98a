"""Use cases: each service combines the pure domain with the storage adapters it is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from passaparola import site_paths

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Links:
    """Absolute URLs for links in responses, emails and redirects."""

    site_url: str
    api_url: str

    def share(self, code: str) -> str:
        return f"{self.api_url.rstrip('/')}/r/{code}"

    def stats(self, lang: str, token: str) -> str:
        # The token travels in the fragment, which browsers never send to a server or a log.
        return f"{self.site_url.rstrip('/')}{site_paths.stats(lang)}#t={token}"

    def unsubscribe(self, lang: str, token: str) -> str:
        """The page that asks before it unsubscribes (a link in an email is a GET, and mail
        scanners follow links: a GET must never unsubscribe by itself)."""
        return f"{self.site_url.rstrip('/')}{site_paths.unsubscribe(lang)}#t={token}"

    def my_data(self, lang: str, token: str) -> str:
        # In the fragment, like the stats token: never sent to a server, never in a log.
        return f"{self.site_url.rstrip('/')}{site_paths.my_data(lang)}#token={token}"

    def one_click(self, token: str) -> str:
        """List-Unsubscribe's address, which the mail client POSTs to (RFC 8058)."""
        return f"{self.api_url.rstrip('/')}/unsubscribe/{token}"

    def admin_sign_in(self, lang: str, token: str) -> str:
        # In the fragment, like the stats token: never sent to a server, never in a log.
        return f"{self.site_url.rstrip('/')}{site_paths.admin(lang)}#signin={token}"

    def join(self, slug: str, lang: str, email: str) -> str:
        """The campaign's invite page with this address filled in: a friend who claimed, one
        tap from a link of their own. The address rides in the fragment, which no server or
        log sees; the page asks for the link only when they tap, as anyone typing it would."""
        return f"{self.site_url.rstrip('/')}{site_paths.invite(slug, lang)}#{urlencode({'email': email})}"

    def page(self, path: str, **query: str) -> str:
        return f"{self.site_url.rstrip('/')}{path}" + (f"?{urlencode(query)}" if query else "")
