"""POST /integrations/stripe, /integrations/shopify and /integrations/woocommerce: each shop
platform's own webhooks, verified by the platform's own scheme (domain.platforms), and taken
as the same order or refund that POST /conversions and POST /refunds take, answered the same.

As for the Standard Webhooks routes, only the body's size, media type and depth are checked
before the signature (`refuse_body`, then `verify`, run as the function's gates), and nothing
of the body is read before it is verified. Platforms send bigger bodies than a shop's own call
(a Shopify order with its line items is tens of kilobytes), hence a limit of their own.

Each event is done once per the platform's own id for it (Stripe's event id, Shopify's webhook
id, WooCommerce's order and what happened to it): a redelivery changes nothing, and a paid
order's redelivery answers `duplicate`. Below that, an order counts once whatever delivers it.
An event passaparola does not use is answered 200, so the platform does not retry it forever.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, get_args

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from passaparola import wiring
from passaparola.api import errors
from passaparola.api.answers import REPLAY_WINDOW_SECONDS, conversion_answer, refund_answer
from passaparola.api.app import Gate
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import ConversionResponse, IgnoredResponse, RefundResponse
from passaparola.domain.errors import InvalidSignature
from passaparola.domain.platforms import Ignored, Paid, Refunded, ShopEvent
from passaparola.observability import metrics
from passaparola.storage.idempotency import Once

if TYPE_CHECKING:
    from passaparola.domain.orders import PaidOrder

Platform = Literal["stripe", "shopify", "woocommerce"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)
PREFIX = "/integrations/"
# Far above any order a platform sends, well below what a Lambda event can carry (6 MB).
MAX_BODY_BYTES = 4 * 1024 * 1024
Answer = ConversionResponse | RefundResponse | IgnoredResponse

router = APIGatewayHttpRouter()


class Adapter(Protocol):
    """What each module of domain.platforms offers."""

    def verify(self, raw: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float) -> None: ...

    def read(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> ShopEvent: ...


def _adapter(platform: Platform) -> Adapter:
    """Imported with the platform's first webhook: an instance pays only for the platforms it meets."""
    from importlib import import_module

    adapter: Adapter = import_module(f"passaparola.domain.platforms.{platform}")
    return adapter


def platform_of(event: Mapping[str, Any]) -> Platform | None:
    path = str(event.get("rawPath") or "")
    name = path.removeprefix(PREFIX)
    return next((platform for platform in PLATFORMS if path.startswith(PREFIX) and name == platform), None)


def for_platforms(ours: Gate, others: Gate) -> Gate:
    """A gate of the function: `ours` for the platforms' routes, `others` for its other routes."""

    def gate(event: dict[str, Any]) -> dict[str, Any] | None:
        return ours(event) if platform_of(event) else others(event)

    return gate


def refuse_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """The platforms' size limit, and a JSON object (every platform's event is one; powertools
    would take an array's first item for it); and WooCommerce's ping, answered 200 here: it is
    unsigned and form-encoded, and a webhook whose URL does not answer it exactly 200 is not saved."""
    raw = _raw(event)
    if platform_of(event) == "woocommerce":
        from passaparola.domain.platforms import woocommerce

        headers = event.get("headers") or {}
        if woocommerce.is_ping(headers.get("content-type"), raw):
            return _lambda_answer(
                IgnoredResponse(status="ignored", reason="WooCommerce's ping: this URL answers")
            )
    refused = errors.refuse_body(event, MAX_BODY_BYTES)
    if refused is None and not raw.lstrip().startswith(b"{"):
        return errors.lambda_error(422, "invalid_request", "a webhook's body is a JSON object")
    return refused


def verify(event: dict[str, Any]) -> dict[str, Any] | None:
    """The gate: None when the platform's signature is good, else the 401 answer."""
    platform = platform_of(event)
    assert platform is not None  # for_platforms sends only the platforms' routes here
    try:
        _adapter(platform).verify(
            _raw(event), event.get("headers") or {}, wiring.platform_secrets(platform), time.time()
        )
    except InvalidSignature as exc:
        metrics.add_metric(name="SignatureRefused", unit=MetricUnit.Count, value=1)
        return errors.lambda_error(401, exc.code, exc.message)
    return None


def _raw(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    try:
        return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    except (binascii.Error, ValueError):
        return b""  # refuse_body has refused it already, unless it is no ping


def _lambda_answer(answer: IgnoredResponse) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": answer.model_dump_json(),
        "isBase64Encoded": False,
    }


def _convert(request: Paid) -> ConversionResponse:
    order: PaidOrder = request.order
    if request.promotion_codes:  # Stripe's, read from its API with the event's first delivery
        order = replace(order, codes=order.codes + wiring.promotion_codes().codes(request.promotion_codes))
    return conversion_answer(order)


def _refund(request: Refunded) -> RefundResponse:
    return refund_answer(request.order_id)


def _again(first: ConversionResponse) -> ConversionResponse:
    return first.model_copy(update={"status": "duplicate", "rewards": 0})


ORDERS = Once(
    "shop-orders", _convert, ConversionResponse, key="event_id", expires_after_seconds=REPLAY_WINDOW_SECONDS,
    on_repeat=_again,
)  # fmt: skip
REFUNDS = Once(
    "shop-refunds", _refund, RefundResponse, key="event_id", expires_after_seconds=REPLAY_WINDOW_SECONDS
)


def _handle(platform: Platform, body: dict[str, Any]) -> Response[Answer]:
    found = _adapter(platform).read(body, router.current_event.headers)
    headers = {"Cache-Control": "no-store"}
    if isinstance(found, Ignored):
        metrics.add_metric(name="ShopEventIgnored", unit=MetricUnit.Count, value=1)
        return Response(
            200, "application/json", IgnoredResponse(status="ignored", reason=found.reason), headers
        )
    idempotency, context = wiring.idempotency(), router.lambda_context
    answer: Answer
    if isinstance(found, Paid):
        answer = idempotency.run(ORDERS, found, context=context)
    else:
        answer = idempotency.run(REFUNDS, found, context=context)
    return Response(202, "application/json", answer, headers)


ANSWERS = (
    ok(200, IgnoredResponse, "An event passaparola does not use, or WooCommerce's ping: nothing is done")
    | {
        202: {
            "description": "A paid order, answered as POST /conversions answers it (a redelivery: "
            "duplicate), or a refund, answered as POST /refunds answers it",
            "content": {"application/json": {"model": ConversionResponse | RefundResponse}},
        }
    }
    | error_responses(400, 401, 409, 413, 415, 422)
)
EVENT = "the platform's webhook body, exactly as it sent it (the signature covers those bytes)"


@router.post(
    "/integrations/stripe",
    summary="Stripe's webhooks (signed by Stripe)",
    description=(
        "checkout.session.completed (once paid) and checkout.session.async_payment_succeeded are "
        "paid orders: the session's payment intent is the order id, the referral code comes from "
        "metadata.referral_code or client_reference_id, and the friend's coupon from the "
        "session's discounts (a coupon id, or a promotion code read through Stripe's API). "
        "charge.refunded refunds the order of its payment intent. Stripe-Signature within 5 "
        "minutes, any of several secrets."
    ),
    tags=["shop platforms"],
    responses=ANSWERS,
    security=[{"stripeSignature": []}],
)
def stripe_webhook(
    event: Annotated[dict[str, Any], Body(description=f"a Stripe event: {EVENT}")],
) -> Response[Answer]:
    return _handle("stripe", event)


@router.post(
    "/integrations/shopify",
    summary="Shopify's webhooks (signed by Shopify)",
    description=(
        "orders/paid is a paid order (its GraphQL id is the order id; the referral code comes from "
        "a cart attribute named referral_code or ref, or ?ref= on the landing page; the friend's "
        "coupon from discount_codes); refunds/create refunds it. X-Shopify-Webhook-Id is the "
        "idempotency key; X-Shopify-Hmac-Sha256 under any of several secrets."
    ),
    tags=["shop platforms"],
    responses=ANSWERS,
    security=[{"shopifyHmac": []}],
)
def shopify_webhook(
    event: Annotated[dict[str, Any], Body(description=f"a Shopify resource: {EVENT}")],
) -> Response[Answer]:
    return _handle("shopify", event)


@router.post(
    "/integrations/woocommerce",
    summary="WooCommerce's webhooks (signed by WooCommerce)",
    description=(
        "order.updated: an order processing or completed with a payment date is a paid order, one "
        "refunded (or with any refund) is a refund; the referral code comes from order meta named "
        "referral_code or ref, the friend's coupon from coupon_lines. WooCommerce's ping "
        "(form-encoded webhook_id=<n>) is answered 200. X-WC-Webhook-Signature under any of "
        "several secrets."
    ),
    tags=["shop platforms"],
    responses=ANSWERS,
    security=[{"wooCommerceSignature": []}],
)
def woocommerce_webhook(
    event: Annotated[dict[str, Any], Body(description=f"a WooCommerce order: {EVENT}")],
) -> Response[Answer]:
    return _handle("woocommerce", event)
