"""Building a resolver and a Lambda entry point from routers; shared by every HTTP function."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Router

from passaparola.api import cors, cross_site, errors, origin
from passaparola.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

Handler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]
Gate = Callable[[dict[str, Any]], dict[str, Any] | None]
# Checks a request's body before any route runs: a refusal, or the event for the routes to read.
BodyCheck = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any]]]


def _json(body: str) -> Any:
    # Amounts stay exact: 49.9 becomes Decimal("49.9"), never the float 49.899999...
    try:
        return json.loads(body, parse_float=Decimal)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer too long to convert; still malformed input
        raise json.JSONDecodeError(str(exc), body, 0) from exc


def make_app(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=_json)
    for router in routers:
        app.include_router(router)
    errors.install(app)
    return app


def make_handler(
    app: APIGatewayHttpResolver, gate: Gate | None = None, *, body: BodyCheck = errors.json_body
) -> Handler:
    """The Lambda entry point: through CloudFront only, from no other site's page (on the
    routes browsers call: cross_site), then the body (JSON by default: its
    media type, size and depth), then `gate` (e.g. a signature check), then routes. A check
    answers instead of the routes by returning the answer: a refusal, or an answer it owns.
    On the routes shops' pages call, every answer past CloudFront's check carries CORS."""

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        refused = origin.refuse_direct(event)
        if refused is not None:
            return refused
        refused = cross_site.refuse_cross_site(event)
        if refused is not None:
            return cors.expose(event, refused)
        refused, event = body(event)
        refused = refused or (gate(event) if gate else None)
        return cors.expose(event, refused if refused is not None else app.resolve(event, context))

    return handler
