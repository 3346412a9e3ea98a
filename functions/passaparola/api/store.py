"""POST /conversions, POST /refunds and POST /reviews/{conversion_id}: the store's signed calls.

The signature is checked before the body is parsed or validated (`verify`, run as the
function's gate; only the size and media-type checks come first), so an unsigned caller
learns nothing about our validation.
`webhook-id` is the idempotency key: a redelivery gets the first answer back, and the same
id with a different body is refused. Below that, the order id makes each order count once
whatever ids it arrives under.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from passaparola import config, wiring
from passaparola.api import errors
from passaparola.api.schemas import (
    ConversionRequest,
    ConversionResponse,
    RefundRequest,
    RefundResponse,
    ReviewRequest,
    ReviewResponse,
    error_responses,
    ok,
)
from passaparola.domain.errors import Busy, InvalidInput, InvalidSignature
from passaparola.observability import metrics
from passaparola.storage import idempotency

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

router = APIGatewayHttpRouter()
# Store platforms retry failed webhooks for up to about three days.
REPLAY_WINDOW_SECONDS = 3 * 24 * 3600
SIGNED: list[dict[str, list[str]]] = [{"standardWebhooks": []}]


def verify(event: dict[str, Any]) -> dict[str, Any] | None:
    """The gate: None when the signature is good, else the 401 answer."""
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    except ValueError:
        return errors.lambda_error(400, "malformed_body", "body is not valid base64")
    try:
        wiring.webhook_verifier().verify(raw, event.get("headers") or {})
    except InvalidSignature as exc:
        metrics.add_metric(name="SignatureRefused", unit=MetricUnit.Count, value=1)
        return errors.lambda_error(401, exc.code, exc.message)
    return None


@cache
def _idempotent(
    kind: str, work: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[Callable[..., dict[str, Any]], IdempotencyConfig]:
    return idempotency.once(
        work,
        table_name=config.settings().table_name,
        kind=kind,
        argument="delivery",
        key="webhook_id",
        payload="body",
        expires_after_seconds=REPLAY_WINDOW_SECONDS,
    )


def _once(
    kind: str, work: Callable[[dict[str, Any]], dict[str, Any]], body: BaseModel, **path: str
) -> dict[str, Any]:
    """`work` once per webhook-id. `path` holds the route's parameters, which count as part of
    the request: the same id for another conversion's review is refused like another body."""
    delivery = {
        "webhook_id": router.current_event.headers["webhook-id"],
        "body": body.model_dump(mode="json") | path,
    }
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    once, settings = _idempotent(kind, work)
    settings.register_lambda_context(router.lambda_context)
    try:
        return once(delivery=delivery)
    except IdempotencyAlreadyInProgressError:
        raise Busy("this webhook-id is being processed right now; retry shortly") from None
    except IdempotencyValidationError:
        raise InvalidInput(
            "this webhook-id was already used for a different body", code="webhook_id_reused"
        ) from None


def _convert(delivery: dict[str, Any]) -> dict[str, Any]:
    from passaparola.services.conversions import Order

    request = ConversionRequest.model_validate(delivery["body"])
    converted = wiring.conversions().convert(
        Order(
            request.order_id,
            request.email,
            request.amount,
            request.currency,
            request.code,
            request.customer_id,
            request.address,
            request.payment_fingerprint,
        )
    )
    metrics.add_metric(name=f"Conversion{converted.status.capitalize()}", unit=MetricUnit.Count, value=1)
    return ConversionResponse(**converted.__dict__).model_dump()


def _review(delivery: dict[str, Any]) -> dict[str, Any]:
    request = ReviewRequest.model_validate(delivery["body"])
    # A signed call is the shop's backend; the console will name the person who decides.
    decided = wiring.reviews().decide(
        delivery["body"]["conversion_id"], request.decision, request.note, "shop"
    )
    review = decided.review
    metrics.add_metric(name=f"Review{str(review.decision).capitalize()}", unit=MetricUnit.Count, value=1)
    return ReviewResponse.model_validate(
        {
            "conversion_id": review.conversion_id,
            "order_id": review.order_id,
            "reason": review.reason,
            "decision": review.decision,
            "decided_by": review.decided_by,
            "decided_at": review.decided_at.isoformat(timespec="microseconds") if review.decided_at else None,
            "note": review.note,
            "rewards": decided.rewards,
        }
    ).model_dump()


def _refund(delivery: dict[str, Any]) -> dict[str, Any]:
    refunded = wiring.refunds().refund(RefundRequest.model_validate(delivery["body"]).order_id)
    metrics.add_metric(name="Refund", unit=MetricUnit.Count, value=1)
    return RefundResponse.model_validate(refunded.__dict__).model_dump()


@router.post(
    "/conversions",
    summary="Report a paid order (signed by the store)",
    description=(
        "Attributes the order to a referral, checks the fraud rules, records it once per order "
        "and queues the rewards it earns, or holds them for review. customer_id, address and "
        "payment_fingerprint are optional fraud signals, kept only as keyed hashes. Signed with "
        "Standard Webhooks headers."
    ),
    tags=["store"],
    responses=ok(
        202, ConversionResponse, "Accepted: queued, duplicate, rejected or held for review, with a reason"
    )
    | error_responses(400, 401, 409, 413, 415, 422),
    security=SIGNED,
)
def report_conversion(body: ConversionRequest) -> Response[ConversionResponse]:
    answer = ConversionResponse.model_validate(_once("conversions", _convert, body))
    return Response(202, "application/json", answer, {"Cache-Control": "no-store"})


@router.post(
    "/refunds",
    summary="Report a refunded order (signed by the store)",
    description="Voids the order's rewards that are still held, and records a clawback for those issued.",
    tags=["store"],
    responses=ok(202, RefundResponse, "Accepted") | error_responses(400, 401, 409, 413, 415, 422),
    security=SIGNED,
)
def report_refund(body: RefundRequest) -> Response[RefundResponse]:
    answer = RefundResponse.model_validate(_once("refunds", _refund, body))
    return Response(202, "application/json", answer, {"Cache-Control": "no-store"})


@router.post(
    "/reviews/<conversion_id>",
    summary="Approve or reject an order held for review (signed by the store)",
    description=(
        "approve queues the order's rewards, which then go through the usual hold; reject voids "
        "them and gives the referrer's cap slot back. The first decision stands: deciding again "
        "answers with it. Signed with Standard Webhooks headers."
    ),
    tags=["store"],
    responses=ok(200, ReviewResponse, "The decision") | error_responses(400, 401, 404, 409, 413, 415, 422),
    security=SIGNED,
)
def decide_review(conversion_id: str, body: ReviewRequest) -> Response[ReviewResponse]:
    answer = ReviewResponse.model_validate(_once("reviews", _review, body, conversion_id=conversion_id))
    return Response(200, "application/json", answer, {"Cache-Control": "no-store"})
