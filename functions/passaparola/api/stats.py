"""GET /referrers/me: the referrer's private stats page; PUT /referrers/me/leaderboard: their
place on the campaign's opt-in leaderboard."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola import qr
from passaparola.api.needs import StatsDep
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import (
    BoardRow,
    CapOut,
    FriendOut,
    LeaderboardOut,
    LeaderboardRequest,
    NextTierOut,
    ProgressOut,
    RewardOut,
    StatsResponse,
)
from passaparola.domain.errors import InvalidToken

if TYPE_CHECKING:
    from passaparola.domain.progress import FriendShown, Standing
    from passaparola.services.rewards import ShownReward
    from passaparola.services.stats import ReferrerStats

router = APIGatewayHttpRouter()
_PRIVATE = {"Cache-Control": "no-store, private"}
_NEEDS = "Needs the token from the private link in the referrer's email, as `Authorization: Bearer <token>`."


@router.get(
    "/referrers/me",
    summary="A referrer's own stats",
    description=_NEEDS,
    tags=["referrers"],
    responses=ok(200, StatsResponse, "Clicks, claims, orders, rewards, progress, friends, the leaderboard")
    | error_responses(401, 422),
)
def my_stats(
    stats: StatsDep,
    authorization: Annotated[str | None, Header()] = None,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
) -> Response[StatsResponse]:
    found = stats.for_token(_token(authorization), lang)
    body = StatsResponse(
        code=found.code,
        campaign=found.campaign,
        share_url=found.share_url,
        qr=qr.data_uri(found.share_url),
        clicks=found.clicks,
        claims=found.claims,
        conversions=found.conversions,
        rewards=[_reward(shown) for shown in found.rewards],
        progress=_progress(found),
        cap=CapOut(max_rewards=found.cap.limit, used=found.cap.used, reached=found.cap.reached)
        if found.cap
        else None,
        friends=[_friend(friend) for friend in found.friends],
        friends_total=found.friends_total,
        leaderboard=_board(found.board),
    )
    return Response(200, "application/json", body, _PRIVATE)


@router.put(
    "/referrers/me/leaderboard",
    summary="Join or leave the campaign's leaderboard",
    description=_NEEDS
    + " Opting in shows the display name (by default the first name and initial the referrer "
    "enrolled with) and the referrer's counts of friends and orders to the campaign's other "
    "referrers; opting out removes both at once.",
    tags=["referrers"],
    responses=ok(200, LeaderboardOut, "The leaderboard as the referrer now stands on it")
    | error_responses(400, 401, 403, 413, 415, 422),
)
def my_leaderboard(
    body: LeaderboardRequest, stats: StatsDep, authorization: Annotated[str | None, Header()] = None
) -> Response[LeaderboardOut]:
    standing = stats.set_board(_token(authorization), body.opt_in, body.display_name)
    return Response(200, "application/json", _board(standing), _PRIVATE)


def _token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("send the token from your stats link as 'Authorization: Bearer <token>'")
    return token.strip()


def _progress(found: ReferrerStats) -> ProgressOut:
    reached = found.progress
    ahead = reached.next
    return ProgressOut(
        counted=reached.counted,
        tiers_reached=reached.reached,
        tiers=reached.tiers,
        next_tier=NextTierOut(after=ahead.tier.after, to_go=ahead.to_go, reward=found.next_reward)
        if ahead and found.next_reward is not None
        else None,
    )


def _friend(friend: FriendShown) -> FriendOut:
    return FriendOut(
        name=friend.name,
        claimed_on=friend.claimed_at.date().isoformat(),
        status=friend.status,
        reward_on=friend.release_at.date().isoformat() if friend.release_at else None,
    )


def _board(standing: Standing) -> LeaderboardOut:
    return LeaderboardOut(
        top=[
            BoardRow(place=p.place, display_name=p.entry.name, claims=p.entry.claims, orders=p.entry.orders)
            for p in standing.top
        ],
        opted_in=standing.opted_in,
        display_name=standing.name,
        place=standing.place,
        ranked=standing.ranked,
    )


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
