"""GET /codes/{code} as the OpenAPI document describes it (handlers/api_docs.py), with its
response models. The route itself is api/codes.py's, which imports those models only when it
answers, so the code validator's cold start does not build them."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.codes import LANG_PATTERN
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import CodeInvalid, CodeValid

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
    code: str, lang: Annotated[str | None, Query(pattern=LANG_PATTERN)] = None
) -> Response[CodeValid | CodeInvalid]:
    """Documentation only: handlers/validate_code.py answers with api/codes.py."""
    raise NotImplementedError(f"GET /codes/{code} is answered by passaparola.handlers.validate_code")
