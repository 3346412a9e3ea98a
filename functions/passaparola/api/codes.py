"""GET /codes/{code}: what the landing page shows about a code.

The response models are imported when the route first answers, not with the function: its cold
start, which the landing page waits on, does not build them. Its OpenAPI description, with
those models, is api/code_docs.py's."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.needs import CodeLimitDep, CodeValidatorDep
from passaparola.api.origin import client_address
from passaparola.domain.errors import CodeNotValid

LANG_PATTERN = r"^[a-z]{2}$"

router = APIGatewayHttpRouter()


@router.get("/codes/<code>")
def check_code(
    code: str,
    limit: CodeLimitDep,
    validator: CodeValidatorDep,
    lang: Annotated[str | None, Query(pattern=LANG_PATTERN)] = None,
) -> Response[Any]:
    from passaparola.api.schemas import CodeInvalid, CodeValid, Offer, PublicReferrer

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
