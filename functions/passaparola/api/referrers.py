"""POST /referrers and POST /claims: the two forms on the campaign pages."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola import qr
from passaparola.api import cors
from passaparola.api.needs import ClaimLimitDep, ClaimsDep, EnrolLimitDep, EnrolmentDep
from passaparola.api.origin import client_address
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import ClaimRequest, ClaimResponse, EnrolRequest, EnrolResponse, FriendReward

router = APIGatewayHttpRouter()


@router.post(
    "/referrers",
    summary="Enrol a referrer",
    description=(
        "Creates the person's referral code for a campaign and emails them their link and a "
        "private stats link. The same email in the same campaign always gets the same code, "
        "with the same answer, so the answer never tells whether an address was known; the "
        "email (with a new stats link, which revokes the older ones) goes at most once a day."
    ),
    tags=["referrers"],
    responses=ok(201, EnrolResponse, "The code of this email in this campaign")
    | error_responses(400, 403, 413, 415, 422, 429),
)
def enrol(body: EnrolRequest, limit: EnrolLimitDep, enrolment: EnrolmentDep) -> Response[EnrolResponse]:
    limit.hit(client_address(router.current_event))
    enrolled = enrolment.enrol(
        body.campaign, body.email, body.name, body.locale, client_address(router.current_event)
    )
    return Response(
        201,
        "application/json",
        EnrolResponse(code=enrolled.code, share_url=enrolled.share_url, qr=qr.data_uri(enrolled.share_url)),
        {"Cache-Control": "no-store"},
    )


@router.route(
    "/referrers",
    method="OPTIONS",
    summary="CORS preflight of the invite panel on a shop's page",
    description=(
        "For /widget.js on the shop's own pages: a browser asks before it POSTs /referrers from "
        "another origin. Only the origins the brand files list (`shop_origins`) and only POST get "
        "the Access-Control-Allow-* headers; any other origin gets 403 without them, and the "
        "browser sends nothing."
    ),
    tags=["referrers"],
    responses={204: {"description": "This origin may POST /referrers from a browser"}} | error_responses(403),
)
def enrol_preflight() -> Response[str]:
    return cors.preflight(router.current_event.raw_event)


@router.post(
    "/claims",
    summary="Claim a referral offer",
    description=(
        "A referred friend takes the offer with their email. The friend's reward is issued at "
        "once when it can be, and its coupon code is in this answer only. Claiming again with "
        "an email that has claimed in the campaign (with any code) answers the same way without "
        "the coupon, which is emailed to that address again (at most once an hour)."
    ),
    tags=["referrals"],
    responses=ok(201, ClaimResponse, "Claimed (or claimed before: the coupon is emailed)")
    | error_responses(400, 403, 413, 415, 422, 429),
)
def claim(body: ClaimRequest, limit: ClaimLimitDep, claims: ClaimsDep) -> Response[ClaimResponse]:
    limit.hit(client_address(router.current_event))
    claimed = claims.claim(
        body.code, body.email, body.locale, body.variant, client_address(router.current_event), body.name
    )
    gift = claimed.friend_reward
    reward = None
    if gift is not None:
        reward = FriendReward(
            kind=gift.kind,
            description=gift.description,
            status=gift.status,
            value=str(gift.value) if gift.value is not None else None,
            currency=gift.currency,
            coupon_code=gift.coupon_code,
        )
    return Response(
        201,
        "application/json",
        ClaimResponse(claim_id=claimed.claim_id, campaign=claimed.campaign, friend_reward=reward),
        {"Cache-Control": "no-store"},
    )
