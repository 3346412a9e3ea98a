"""GET /r/{code}: the shared link, served by a Lambda function URL behind CloudFront."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import LambdaFunctionUrlRouter
from aws_lambda_powertools.metrics import MetricUnit

from passaparola import wiring
from passaparola.api.origin import client_address
from passaparola.api.schemas import error_responses
from passaparola.observability import metrics

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
    event = router.current_event
    redirect = wiring.click_recorder().click(code, event.headers, client_address(event))
    if redirect.outcome == "lost":
        # The only line a click ever writes to CloudWatch: counted clicks are in the counters.
        metrics.add_metric(name="ClickNotCounted", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=302,
        body="",
        headers={
            "Location": redirect.location,
            # A 301, or a cached 302, would let repeat clicks skip the tracker.
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
