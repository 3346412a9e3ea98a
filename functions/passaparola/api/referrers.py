"""POST /referrers and POST /claims: the two forms on the campaign pages."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from passaparola import qr, wiring
from passaparola.api.clients import client_address
from passaparola.api.schemas import (
    ClaimRequest,
    ClaimResponse,
    EnrolRequest,
    EnrolResponse,
    RewardOut,
    error_responses,
    ok,
)
from passaparola.observability import metrics

router = APIGatewayHttpRouter()


@router.post(
    "/referrers",
    summary="Enrol a referrer",
    description=(
        "Creates the person's referral code for a campaign and emails them their link and a "
        "private stats link. The same email in the same campaign always gets the same code."
    ),
    tags=["referrers"],
    responses=ok(201, EnrolResponse, "A new code")
    | ok(200, EnrolResponse, "The code this email already has")
    | error_responses(400, 413, 415, 422),
)
def enrol(body: EnrolRequest) -> Response[EnrolResponse]:
    enrolled = wiring.enrolment().enrol(
        body.campaign, body.email, body.name, body.locale, client_address(router.current_event)
    )
    metrics.add_metric(
        name="Enrolled" if enrolled.created else "EnrolledAgain", unit=MetricUnit.Count, value=1
    )
    return Response(
        201 if enrolled.created else 200,
        "application/json",
        EnrolResponse(code=enrolled.code, share_url=enrolled.share_url, qr=qr.data_uri(enrolled.share_url)),
        {"Cache-Control": "no-store"},
    )


@router.post(
    "/claims",
    summary="Claim a referral offer",
    description=(
        "A referred friend takes the offer with their email. The friend's reward is issued at "
        "once when it can be (a coupon code). Claiming again with the same email returns the "
        "same claim."
    ),
    tags=["referrals"],
    responses=ok(201, ClaimResponse, "Claimed")
    | ok(200, ClaimResponse, "Already claimed by this email")
    | error_responses(400, 413, 415, 422),
)
def claim(body: ClaimRequest) -> Response[ClaimResponse]:
    claimed = wiring.claims().claim(
        body.code, body.email, body.locale, body.variant, client_address(router.current_event)
    )
    metrics.add_metric(name="Claimed" if claimed.created else "ClaimedAgain", unit=MetricUnit.Count, value=1)
    reward = RewardOut(**claimed.friend_reward) if claimed.friend_reward else None
    return Response(
        201 if claimed.created else 200,
        "application/json",
        ClaimResponse(claim_id=claimed.claim_id, campaign=claimed.campaign, friend_reward=reward),
        {"Cache-Control": "no-store"},
    )
