"""Domain exceptions to HTTP, in one place. Every error answer is JSON {error, message}."""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from passaparola.domain import errors
from passaparola.observability import logger

MAX_BODY_BYTES = 16 * 1024

STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.UnknownCampaign: 422,
    errors.CampaignClosed: 422,
    errors.CodeNotValid: 422,
    errors.SelfReferral: 422,
    errors.RejectedEmail: 422,
    errors.InvalidSignature: 401,
    errors.InvalidToken: 401,
    errors.NotFound: 404,
    errors.Busy: 409,
    errors.Conflict: 409,
    errors.RateLimited: 429,
}


def error_response(
    status: int, error: str, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[str]:
    body = {"error": error, "message": message, **extra}
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body),
        headers={"Cache-Control": "no-store"} | (headers or {}),
    )


def lambda_error(status: int, error: str, message: str) -> dict[str, Any]:
    """The same error shape, for answers given before the resolver runs."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps({"error": error, "message": message}),
        "isBase64Encoded": False,
    }


def refuse_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies too big to be ours, not JSON, or not text at all, are answered before any route runs."""
    body = event.get("body") or ""
    encoded = bool(event.get("isBase64Encoded"))
    content_type = (event.get("headers") or {}).get("content-type", "application/json")
    if body and content_type.split(";")[0].strip().lower() != "application/json":
        return lambda_error(415, "unsupported_media_type", "send the body as application/json")
    if len(body) > MAX_BODY_BYTES * (4 / 3 if encoded else 1):
        return lambda_error(413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes")
    if encoded:
        try:
            base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            return lambda_error(400, "malformed_json", "request body is not UTF-8 text")
    return None


def _describe(problem: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body") or "body"
    return f"{where}: {problem.get('msg', 'is not valid')}"


def install(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(errors.DomainError)
    def domain_error(exc: errors.DomainError) -> Response[str]:
        extra = {"reason": exc.reason} if isinstance(exc, errors.CodeNotValid) else {}
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
        return error_response(STATUS.get(type(exc), 400), exc.code, exc.message, headers=headers, **extra)

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response[str]:
        problems = list(exc.errors())
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "malformed_json", "request body is not valid JSON")
        if any(p.get("loc") == ("body",) for p in problems):
            return error_response(422, "invalid_request", "request body must be a JSON object")
        return error_response(422, "invalid_request", "; ".join(_describe(p) for p in problems[:5]))

    @app.not_found
    def not_found(_: NotFoundError) -> Response[str]:
        return error_response(404, "not_found", "no such route")

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response[str]:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong on our side; retry later")
