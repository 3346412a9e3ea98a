"""GET /r/{code}: the shared link, served by a Lambda function URL behind CloudFront.

A function URL event is a small dict and the answer Lambda expects is another, so this route is
answered without powertools' event handler (and its resolver, pydantic and asyncio): a new
sandbox of the busiest route imports only what one redirect and one conditional PutItem need.
It answers as the resolver did: the same route pattern, the same 302 and headers, and the same
JSON errors ({error, message}: 404 for any other route, 429 with Retry-After, 500). Its OpenAPI
description is api/click_docs.py's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import wiring
from passaparola.domain.clients import viewer_address
from passaparola.domain.errors import RateLimited
from passaparola.observability import logger, metrics

# powertools' pattern for "/r/<code>": a dynamic segment is URI characters, safe or not.
ROUTE = re.compile(r"^/r/(?P<code>[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+)$")


def answer(event: Mapping[str, Any]) -> dict[str, Any]:
    """The function URL's answer to `event` (payload 2.0)."""
    http = (event.get("requestContext") or {}).get("http") or {}
    found = ROUTE.match(event.get("rawPath") or "")
    if found is None or str(http.get("method", "")).upper() != "GET":
        return _error(404, "not_found", "no such route")
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    try:
        redirect = wiring.click_recorder().click(found["code"], headers, client_address(headers, http))
    except RateLimited as exc:
        return _error(429, exc.code, exc.message, {"Retry-After": str(exc.retry_after)})
    except Exception:
        logger.exception("unhandled error")
        return _error(500, "internal_error", "something went wrong on our side; retry later")
    if redirect.outcome == "lost":
        # The only line a click ever writes to CloudWatch: counted clicks are in the counters.
        metrics.add_metric(name="ClickNotCounted", unit=MetricUnit.Count, value=1)
    return _answer(
        302,
        "",
        {
            "Location": redirect.location,
            # A 301, or a cached 302, would let repeat clicks skip the tracker.
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def client_address(headers: Mapping[str, str], http: Mapping[str, Any]) -> str:
    return viewer_address(headers.get("cloudfront-viewer-address"), str(http.get("sourceIp", "")))


def _error(status: int, error: str, message: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    body = json.dumps({"error": error, "message": message})
    return _answer(
        status, body, {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})}
    )


def _answer(status: int, body: str, headers: Mapping[str, str]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "body": body,
        "isBase64Encoded": False,
        "headers": dict(headers),
        "cookies": [],
    }
