"""No other website can make its visitors' browsers change anything here.

A page elsewhere can make a browser POST without asking first (a "simple" request: no CORS
preflight) only with a form's media type or text/plain; every state-changing route but one
takes application/json alone (errors.refuse_body), so such a request is refused before it is
read. The routes the site's pages and the shops' panel call are checked once more, by what the
browser itself says of the request's origin, which no page can forge: `Sec-Fetch-Site`, and
`Origin`. Only the site's own origin (SITE_URL, API_URL: one origin on AWS) and the brand file's
`shop_origins` may call them from a browser; a request that carries neither header is no
browser's (a shop's backend, curl) and is let through.

Not checked here, and why: the shops' signed webhooks and the business's routes need a header
(a signature, `Authorization`) no page can send without a preflight, which they do not answer;
`POST /unsubscribe/{token}` is RFC 8058's one-click unsubscribe, which a mail client (a webmail's
page too) POSTs as a form from wherever it runs, and which only the holder of the emailed token
can make.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from passaparola import config
from passaparola.api.errors import lambda_error

# The state-changing routes browsers call: the site's pages (invite, landing, stats, my data,
# the console's sign-in) and the shops' panel (/widget.js). A test holds every state-changing
# route of the template either here or in NOT_FROM_BROWSERS.
BROWSER_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/referrers"),
        ("POST", "/claims"),
        ("PUT", "/referrers/me/leaderboard"),
        ("POST", "/me/link"),
        ("DELETE", "/me"),
        ("POST", "/admin/sign-in"),
        ("POST", "/admin/sessions"),
    }
)
# What the browser says when the request comes from the page's own origin, or from no page at all
# (an address typed in; no browser POSTs so, but it is no other site either).
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins() -> frozenset[str]:
    """The origins whose pages may call BROWSER_ROUTES: the site's own, and the shops' listed."""
    settings = config.settings()
    return frozenset({_origin(settings.site_url), _origin(settings.api_url)}) | frozenset(
        origin.lower() for origin in config.rules().shop_origins
    )


def refuse_cross_site(event: dict[str, Any]) -> dict[str, Any] | None:
    """403 for a request to a route of BROWSER_ROUTES that a browser sent from a page on
    another origin than the site's own or a listed shop's; None otherwise."""
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if (method, str(event.get("rawPath", ""))) not in BROWSER_ROUTES:
        return None
    headers = event.get("headers") or {}
    fetch_site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if fetch_site is None and origin is None:
        return None  # no browser's request
    if fetch_site is not None and fetch_site.strip().lower() in TRUSTED_FETCH_SITES:
        return None
    if origin is not None and origin.strip().lower() in allowed_origins():
        return None
    return lambda_error(403, "forbidden", "this route takes requests from the site's own pages only")
