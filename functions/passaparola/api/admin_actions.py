"""What the business does: POST /rewards/{id}/fulfilment and POST /reviews/{conversion_id}.

Both run behind the admin gate. A decision on a review may instead come signed by the shop's
backend (Standard Webhooks, as /conversions): it is then idempotent on its webhook-id like
every signed call, and recorded as decided by `shop`. An admin's decision is recorded with
the admin's email, or `key:<first 8 characters>` for a machine key; either way the first
decision stands and a second gets it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from passaparola import wiring
from passaparola.api import signed_calls
from passaparola.api.admin_auth import caller
from passaparola.api.admin_schemas import ADMIN, AdminRewardOut, FulfilmentRequest
from passaparola.api.admin_views import admin_reward
from passaparola.api.answers import REPLAY_WINDOW_SECONDS
from passaparola.api.needs import FulfilmentsDep, ReviewsDep
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import ReviewRequest, ReviewResponse, RewardStatusOut
from passaparola.observability import metrics
from passaparola.storage.idempotency import Once

if TYPE_CHECKING:
    from passaparola.services.reviews import Decided

router = APIGatewayHttpRouter()
_NO_STORE = {"Cache-Control": "no-store"}
SHOP = "shop"


def shop_signed(event: dict[str, Any]) -> dict[str, Any] | None:
    """For a request without an admin credential: a shop's signed decision on a review, or 401."""
    if event.get("routeKey") == "POST /reviews/{conversion_id}" and "webhook-signature" in (
        event.get("headers") or {}
    ):
        return signed_calls.verify(event)
    from passaparola.api.errors import lambda_error

    return lambda_error(
        401, "unauthorized", "send an admin key or session as 'Authorization: Bearer <credential>'"
    )


@router.post(
    "/rewards/<reward_id>/fulfilment",
    summary="Mark a reward given (credit added, payout sent, gift shipped...)",
    description=(
        "Once: a repeat answers the first fulfilment, whatever its reference. 409 for a reward "
        "that is not issued, or that the kit gives itself (a coupon)."
    ),
    tags=["business"],
    responses=ok(200, AdminRewardOut, "The reward, with its fulfilment")
    | error_responses(400, 401, 404, 409, 413, 415, 422),
    security=ADMIN,
)
def fulfil(reward_id: str, body: FulfilmentRequest, fulfilments: FulfilmentsDep) -> Response[AdminRewardOut]:
    admin = caller(router)
    assert admin is not None  # the gate lets only admins through to this route
    reward = fulfilments.fulfil(reward_id, body.reference, admin)
    return Response(200, "application/json", admin_reward(reward), _NO_STORE)


def _answer(decided: Decided) -> ReviewResponse:
    review, ruling = decided.review, decided.ruling
    metrics.add_metric(name=f"Review{ruling.decision.capitalize()}", unit=MetricUnit.Count, value=1)
    return ReviewResponse(
        conversion_id=review.conversion_id,
        order_id=review.order_id,
        reason=review.reason,
        decision=ruling.decision,
        decided_by=ruling.by,
        decided_at=ruling.at.isoformat(timespec="microseconds"),
        note=ruling.note,
        # The rewards' own ids, as the shop's /refunds answers name them.
        rewards=[
            RewardStatusOut(id=reward_id, status=status) for reward_id, status in decided.rewards.items()
        ],
    )


def _signed(request: signed_calls.Delivery[ReviewRequest]) -> ReviewResponse:
    body = request.body
    return _answer(wiring.reviews().decide(request.path["conversion_id"], body.decision, body.note, SHOP))


# The same idempotency records as the shop's other signed calls, keyed on webhook-id.
SIGNED_REVIEWS = Once(
    "reviews",
    _signed,
    ReviewResponse,
    key="webhook_id",
    payload="[body, path]",
    expires_after_seconds=REPLAY_WINDOW_SECONDS,
)


@router.post(
    "/reviews/<conversion_id>",
    summary="Approve or reject an order held for review",
    description=(
        "By an admin (key or session), or signed by the shop with Standard Webhooks. approve "
        "queues the order's rewards, which then go through the usual hold; reject voids them "
        "and gives the referrer's cap slot back. The first decision stands: deciding again "
        "answers with it. decided_by is the admin's email, key:<first 8 characters> for a "
        "machine key, or shop for a signed call."
    ),
    tags=["business"],
    responses=ok(200, ReviewResponse, "The decision") | error_responses(400, 401, 404, 409, 413, 415, 422),
    security=[*ADMIN, *signed_calls.SIGNED],
)
def decide_review(conversion_id: str, body: ReviewRequest, reviews: ReviewsDep) -> Response[ReviewResponse]:
    admin = caller(router)
    if admin is None:  # the gate checked the shop's signature
        delivery = signed_calls.Delivery(
            router.current_event.headers["webhook-id"], body, {"conversion_id": conversion_id}
        )
        answer = wiring.idempotency().run(SIGNED_REVIEWS, delivery, context=router.lambda_context)
    else:
        answer = _answer(reviews.decide(conversion_id, body.decision, body.note, admin.recorded_as))
    return Response(200, "application/json", answer, _NO_STORE)
