"""GET /r/{code} as the OpenAPI document describes it (handlers/api_docs.py). The route itself
is answered by api/clicks.py without powertools' event handler; this router only documents it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import LambdaFunctionUrlRouter

from passaparola.api.schema_base import error_responses

router = LambdaFunctionUrlRouter()


@router.get(
    "/r/<code>",
    summary="Follow a referral link",
    description=(
        "Counts the click (not for bots or link previews, and once a day per visitor) and "
        "redirects to the campaign's landing page with ?ref=CODE, where the page checks the "
        "code. A code that cannot be one of a running campaign still lands on a page, with "
        "ref_status=invalid. More clicks from one network than the limit allows answer 429."
    ),
    tags=["referrals"],
    responses={
        302: {
            "description": "Redirect to the landing page; Location header, Cache-Control: no-store",
            "content": {},
        }
    }
    | error_responses(429),
)
def follow_link(code: str) -> Response[str]:
    """Documentation only: handlers/record_click.py answers with api/clicks.py."""
    raise NotImplementedError(f"GET /r/{code} is answered by passaparola.handlers.record_click")
