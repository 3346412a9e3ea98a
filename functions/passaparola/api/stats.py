"""GET /referrers/me: the referrer's private stats page."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola import qr, wiring
from passaparola.api.schemas import RewardOut, StatsResponse, error_responses, ok
from passaparola.domain.errors import InvalidToken

router = APIGatewayHttpRouter()


@router.get(
    "/referrers/me",
    summary="A referrer's own stats",
    description=(
        "Needs the token from the private link in the referrer's email, as `Authorization: Bearer <token>`."
    ),
    tags=["referrers"],
    responses=ok(200, StatsResponse, "Clicks, claims, conversions and rewards") | error_responses(401, 422),
)
def my_stats(
    authorization: Annotated[str | None, Header()] = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
) -> Response[StatsResponse]:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("send the token from your stats link as 'Authorization: Bearer <token>'")
    found = wiring.stats().for_token(token.strip(), lang)
    body = StatsResponse(
        code=found.code,
        campaign=found.campaign,
        share_url=found.share_url,
        qr=qr.data_uri(found.share_url),
        clicks=found.clicks,
        claims=found.claims,
        conversions=found.conversions,
        rewards=[RewardOut(**r) for r in found.rewards],
    )
    return Response(200, "application/json", body, {"Cache-Control": "no-store, private"})
