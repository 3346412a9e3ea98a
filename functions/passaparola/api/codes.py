"""GET /codes/{code}: what the landing page shows about a code."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.needs import CodeLimitDep, CodeValidatorDep
from passaparola.api.origin import client_address
from passaparola.api.schemas import CodeInvalid, CodeValid, Offer, PublicReferrer, error_responses, ok
from passaparola.domain.errors import CodeNotValid

router = APIGatewayHttpRouter()


@router.get(
    "/codes/<code>",
    summary="Check a referral code",
    description=(
        "Who invited the visitor and what they get. Never returns an email or other personal "
        "data. Look-ups are limited per client (429), so codes cannot be guessed by the thousand."
    ),
    tags=["referrals"],
    responses=ok(200, CodeValid, "The code can be used")
    | ok(404, CodeInvalid, "The code cannot be used, and why")
    | error_responses(422, 429),
)
def check_code(
    code: str,
    limit: CodeLimitDep,
    validator: CodeValidatorDep,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
) -> Response[CodeValid | CodeInvalid]:
    # Every look-up counts, an unknown code's too: guessing is what the limit is for.
    limit.hit(client_address(router.current_event))
    headers = {"Cache-Control": "no-store"}
    try:
        valid = validator.check(code)
    except CodeNotValid as exc:
        body = CodeInvalid(valid=False, reason=exc.reason, error="invalid_code", message=exc.message)
        return Response(404, "application/json", body, headers)
    campaign = valid.campaign
    friend_reward = campaign.rules.friend_reward
    offer: Offer | None = None
    if friend_reward is not None:
        details: dict[str, Any] = friend_reward.model_dump(mode="json", exclude_none=True)
        offer = Offer(**details, text=campaign.text(lang).friend_offer)
    body_valid = CodeValid(
        valid=True,
        campaign=campaign.rules.slug,
        referrer=PublicReferrer(display_name=valid.referrer.display_name),
        offer=offer,
    )
    return Response(200, "application/json", body_valid, headers)
