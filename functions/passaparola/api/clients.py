"""Who is calling: the visitor's network address, as API Gateway and CloudFront pass it on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


def client_address(event: APIGatewayProxyEventV2) -> str:
    """Behind CloudFront the API sees the edge's address; CloudFront passes the visitor's on.
    The API's own endpoint takes the header from anyone, so a caller can forge it: that skews
    click counts no more than rotating the user agent does, and hides a claim from the
    same_client rule no better than another network would."""
    viewer = event.headers.get("cloudfront-viewer-address")  # "ip:port"
    return viewer.rpartition(":")[0] if viewer else event.request_context.http.source_ip
