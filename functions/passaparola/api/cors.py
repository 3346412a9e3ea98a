"""CORS for the shops' own pages: the invite panel of /widget.js calls the API from them.

Only the routes the panel uses answer CORS, and only to the origins the brand file lists
(`shop_origins`, compiled into the rules). Powertools' CORSConfig is fixed when the resolver is
built, at import, before the rules are read, and it answers any path's preflight; this answers
per route, from the rules.
Pages on the site's own origin need none of it. Every answer of such a route varies by Origin,
so no cache may hand one origin's answer to another.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from passaparola import config
from passaparola.api.errors import error_response

# The routes the panel calls, and their methods.
SHOP_ROUTES: dict[str, tuple[str, ...]] = {"/referrers": ("POST",)}
ALLOWED_HEADERS = "content-type"
MAX_AGE_SECONDS = 600  # Chromium keeps a preflight at most 2 hours, Firefox 1 day


def _header(event: dict[str, Any], name: str) -> str:
    return str((event.get("headers") or {}).get(name, ""))


def _allowed(event: dict[str, Any]) -> str | None:
    """The request's Origin when a shop's page may read the answer, else None."""
    origin = _header(event, "origin")
    return origin if origin in config.rules().shop_origins else None


def preflight(event: dict[str, Any]) -> Response[str]:
    """The answer to `OPTIONS` on a route of SHOP_ROUTES: 204 with the CORS headers for a
    listed origin asking for a method the route takes; 403 otherwise, without them, so the
    browser sends nothing."""
    methods = SHOP_ROUTES.get(str(event.get("rawPath", "")), ())
    origin = _allowed(event)
    if origin is None or _header(event, "access-control-request-method").upper() not in methods:
        return error_response(
            403, "forbidden", "this origin or method may not call this route", headers={"Vary": "Origin"}
        )
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
        "Cache-Control": "no-store",
        "Vary": "Origin",
    }
    return Response(204, None, "", headers)


def expose(event: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """`answer` with Access-Control-Allow-Origin when a listed shop origin called a route of
    SHOP_ROUTES: its errors too, so the panel can say what went wrong."""
    method = str(event.get("requestContext", {}).get("http", {}).get("method", ""))
    if str(event.get("rawPath", "")) not in SHOP_ROUTES or method == "OPTIONS":
        return answer  # a preflight answers for itself
    headers = dict(answer.get("headers") or {})
    headers["Vary"] = "Origin"
    origin = _allowed(event)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
    return answer | {"headers": headers}
