"""POST /conversions and POST /refunds: the shop's signed calls. (Its signed decisions on
orders held for review, POST /reviews/{conversion_id}, are taken with the admins' in
api/admin_actions.py, which checks the signature with the same `signed_calls.verify`.)

The signature is checked before the body is parsed or validated (api/signed_calls.py's
`verify`, run as the function's gate; only the size and media-type checks come first), so an
unsigned caller learns nothing about our validation. Each body is then validated once, by its
route.
`webhook-id` is the idempotency key: a redelivery gets the first answer back, and the same
id with a different body is refused. Below that, the order id makes each order count once
whatever ids it arrives under.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from passaparola import wiring
from passaparola.api.answers import REPLAY_WINDOW_SECONDS, conversion_answer, refund_answer
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import ConversionRequest, ConversionResponse, RefundRequest, RefundResponse
from passaparola.api.signed_calls import SIGNED, Body, Delivery
from passaparola.storage.idempotency import Once

router = APIGatewayHttpRouter()
Answer = TypeVar("Answer", bound=BaseModel)


def _once(once: Once[Delivery[Body], Answer], body: Body, **path: str) -> Answer:
    delivery = Delivery(router.current_event.headers["webhook-id"], body, path)
    return wiring.idempotency().run(once, delivery, context=router.lambda_context)


def _convert(request: Delivery[ConversionRequest]) -> ConversionResponse:
    from passaparola.domain.money import Money
    from passaparola.domain.orders import Identifiers, PaidOrder

    body = request.body
    buyer = Identifiers(body.email, body.customer_id, body.address, body.payment_fingerprint)
    price = Money(amount=body.amount, currency=body.currency)
    codes = (body.code,) if body.code else ()
    order = PaidOrder(body.order_id, price, buyer, codes, satisfaction=body.satisfaction, locale=body.locale)
    return conversion_answer(order)


def _refund(request: Delivery[RefundRequest]) -> RefundResponse:
    return refund_answer(request.body.order_id)


def _webhook(
    kind: str, work: Callable[[Delivery[Body]], Answer], answer: type[Answer]
) -> Once[Delivery[Body], Answer]:
    return Once(
        kind,
        work,
        answer,
        key="webhook_id",
        payload="[body, path]",
        expires_after_seconds=REPLAY_WINDOW_SECONDS,
    )


CONVERSIONS = _webhook("conversions", _convert, ConversionResponse)
REFUNDS = _webhook("refunds", _refund, RefundResponse)


@router.post(
    "/conversions",
    summary="Report a paid order (signed by the shop)",
    description=(
        "Attributes the order to a referral, checks the fraud rules, records it once per order "
        "and queues the rewards it earns, or holds them for review. customer_id, address and "
        "payment_fingerprint are optional fraud signals, kept only as keyed hashes; satisfaction "
        "and locale shape the invitation to join sent days later, and are not stored. Signed "
        "with Standard Webhooks headers."
    ),
    tags=["shop"],
    responses=ok(
        202, ConversionResponse, "Accepted: queued, duplicate, rejected or held for review, with a reason"
    )
    | error_responses(400, 401, 409, 413, 415, 422),
    security=SIGNED,
)
def report_conversion(body: ConversionRequest) -> Response[ConversionResponse]:
    return Response(202, "application/json", _once(CONVERSIONS, body), {"Cache-Control": "no-store"})


@router.post(
    "/refunds",
    summary="Report a refunded order (signed by the shop)",
    description="Voids the order's rewards that are still held, and records a clawback for those issued.",
    tags=["shop"],
    responses=ok(202, RefundResponse, "Accepted") | error_responses(400, 401, 409, 413, 415, 422),
    security=SIGNED,
)
def report_refund(body: RefundRequest) -> Response[RefundResponse]:
    return Response(202, "application/json", _once(REFUNDS, body), {"Cache-Control": "no-store"})
