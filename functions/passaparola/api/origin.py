"""The API answers only requests that came through CloudFront, and knows their client.

CloudFront adds a secret header to every request it sends to the API (the distribution's
origin custom header, from OriginVerifySecret). A request without it came to the API's own
endpoint directly: it is refused before anything else runs, so nothing it says (such as a
forged CloudFront-Viewer-Address) is ever read.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from passaparola import wiring
from passaparola.api.errors import lambda_error
from passaparola.domain.clients import viewer_address

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

HEADER = "x-origin-verify"


def refuse_direct(event: dict[str, Any]) -> dict[str, Any] | None:
    """403 for a request that did not come through CloudFront. The header is taken out of the
    event either way, so no route, log or error message can repeat it."""
    headers = event.get("headers") or {}
    sent = str(headers.pop(HEADER, ""))
    if not hmac.compare_digest(sent.encode(), wiring.origin_secret().encode()):
        return lambda_error(403, "forbidden", "this API answers only through the site's own address")
    return None


def client_address(event: APIGatewayProxyEventV2) -> str:
    """The visitor's address: API Gateway sees only a CloudFront edge."""
    return viewer_address(
        event.headers.get("cloudfront-viewer-address"), event.request_context.http.source_ip
    )
