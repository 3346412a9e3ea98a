"""GET /referrers/me: the referrer's private stats page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola import qr, wiring
from passaparola.api.schemas import RewardOut, StatsResponse, error_responses, ok
from passaparola.domain.errors import InvalidToken

if TYPE_CHECKING:
    from passaparola.services.rewards import ShownReward

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
        rewards=[_reward(shown) for shown in found.rewards],
    )
    return Response(200, "application/json", body, {"Cache-Control": "no-store, private"})


def _reward(shown: ShownReward) -> RewardOut:
    reward = shown.reward
    return RewardOut(
        id=reward.reward_id,
        role=reward.role,
        kind=reward.kind,
        description=shown.description,
        status=reward.status,
        value=str(reward.value) if reward.value is not None else None,
        currency=reward.currency,
        coupon_code=reward.coupon_code,
        created_at=_time(reward.created_at),
        hold_until=_time(reward.hold_until) if reward.hold_until else None,
        issued_at=_time(reward.issued_at) if reward.issued_at else None,
    )


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")
