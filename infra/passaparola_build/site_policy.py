"""What the site's pages may load and talk to: their Content-Security-Policy.

Every page carries it in a <meta http-equiv> element, and the CloudFront response headers
policy in infra/template.yaml sends it as a header; both come from here, so a test can hold
the template to it. Scripts and styles come only from the site's own files (never
'unsafe-inline'), images also from data: URIs (the QR code and small brand images are
inlined), and the pages connect to their own origin and the API's, nothing else. Trusted
Types with no policy at all makes every HTML-parsing sink (innerHTML and friends) throw, so
no value can ever reach the page as HTML.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Browsers ignore these in a <meta> element (with a console warning): header only.
_HEADER_ONLY = frozenset({"frame-ancestors"})


def api_origin(api_url: str) -> str | None:
    """The API's origin, or None when the API is served from the site's own origin ("")."""
    if not api_url:
        return None
    parts = urlsplit(api_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(f"the API URL must look like https://api.example.com, not {api_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def directives(api_url: str = "") -> dict[str, str]:
    origin = api_origin(api_url)
    return {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'" + (f" {origin}" if origin else ""),
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
        "require-trusted-types-for": "'script'",
        "trusted-types": "'none'",
    }


def content_security_policy(api_url: str = "") -> str:
    """The policy as the HTTP header sends it."""
    return "; ".join(f"{name} {value}" for name, value in directives(api_url).items())


def meta_policy(api_url: str = "") -> str:
    """The same policy without the directives a <meta> element cannot carry."""
    return "; ".join(
        f"{name} {value}" for name, value in directives(api_url).items() if name not in _HEADER_ONLY
    )
