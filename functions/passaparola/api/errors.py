"""Domain exceptions to HTTP, in one place. Every error answer is JSON {error, message}."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from passaparola.domain import errors
from passaparola.domain.vocabulary import ErrorCode
from passaparola.observability import logger

MAX_BODY_BYTES = 16 * 1024
# Far deeper than any body of ours; far shallower than what the parser can survive.
MAX_DEPTH = 32
# A JSON string, possibly cut short by the end of the body, or a bracket. The possessive `*+`
# keeps an unclosed string from backtracking, so the scan stays linear.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_WHITESPACE = " \t\n\r"  # RFC 8259, 2

# Every domain error, by class (a test checks that none is missing).
STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 422,
    errors.UnknownCampaign: 422,
    errors.CampaignClosed: 422,
    errors.CodeNotValid: 422,
    errors.SelfReferral: 422,
    errors.RejectedEmail: 422,
    errors.InvalidSignature: 401,
    errors.InvalidToken: 401,
    errors.Unauthorized: 401,
    errors.NotFulfillable: 409,
    errors.NotFound: 404,
    errors.Busy: 409,
    errors.Conflict: 409,
    errors.RateLimited: 429,
}


def error_response(
    status: int, error: ErrorCode, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[str]:
    body = {"error": error, "message": message, **extra}
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body),
        headers={"Cache-Control": "no-store"} | (headers or {}),
    )


def lambda_error(status: int, error: ErrorCode, message: str) -> dict[str, Any]:
    """The same error shape, for answers given before the resolver runs."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps({"error": error, "message": message}),
        "isBase64Encoded": False,
    }


def refuse_body(event: dict[str, Any], max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any] | None:
    """Bodies that are not JSON in UTF-8, too big, or too deep are answered before any route runs.

    A body must say it is application/json: one without a Content-Type, or sent as text/plain, a
    form or multipart, is what a page on another site can make a browser send without a CORS
    preflight, and is refused (415) unread. A state-changing request that names another media
    type is refused even with no body."""
    body = event.get("body") or ""
    content_type = (event.get("headers") or {}).get("content-type")
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if not body and (content_type is None or method not in STATE_CHANGING):
        return None
    refusal = _media_type_refusal(content_type)
    if refusal is not None:
        return lambda_error(415, "unsupported_media_type", refusal)
    if not body:
        return None
    too_large = lambda_error(413, "payload_too_large", f"request body is larger than {max_bytes} bytes")
    try:
        if event.get("isBase64Encoded"):
            if len(body) > -(-max_bytes // 3) * 4:  # base64 of max_bytes, before decoding that much
                return too_large
            raw = base64.b64decode(body, validate=True)
            text = raw.decode("utf-8")
        else:
            # at least one byte per character, so this bound needs no encoding
            if len(body) > max_bytes:
                return too_large
            raw, text = body.encode("utf-8"), body
    except ValueError:  # binascii.Error and Unicode errors are ValueErrors
        return lambda_error(400, "malformed_json", "request body is not UTF-8 text")
    if len(raw) > max_bytes:
        return too_large
    if _too_deep(text):
        return lambda_error(
            400, "too_deep", f"request body nests arrays and objects deeper than {MAX_DEPTH} levels"
        )
    if text.lstrip(JSON_WHITESPACE).startswith("["):
        # powertools would read an array's first item as the body
        return lambda_error(422, "invalid_request", "request body must be a JSON object")
    return None


def json_body(
    event: dict[str, Any], refuse: Callable[[dict[str, Any]], dict[str, Any] | None] = refuse_body
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The body check of every route but one: JSON only (`refuse`: refuse_body, unless a function
    has limits of its own), spelt for powertools."""
    refusal = refuse(event)
    return refusal, event if refusal is not None else plain_json(event)


def plain_json(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its media type spelt as powertools expects. Powertools matches the
    Content-Type case-sensitively as a prefix, and raises (a 500) for `Application/Json`;
    `refuse_body` has already checked it the way HTTP compares media types."""
    headers = event.get("headers") or {}
    if "content-type" not in headers:
        return event
    return event | {"headers": headers | {"content-type": "application/json"}}


def _media_type_refusal(content_type: str | None) -> str | None:
    """Why a Content-Type is not JSON in UTF-8, or None when it is. Type, subtype and parameter
    names are case-insensitive, and a parameter value may be quoted (RFC 9110, 8.3.1)."""
    if content_type is None:
        return "send the body as application/json, with a Content-Type that says so"
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != "application/json":
        return "send the body as application/json"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return "send the body as application/json in UTF-8 (charset=utf-8, or no charset)"
    return None


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH, found without parsing: json.loads
    recurses once per level and fails at about 1,000 levels with a RecursionError, not a
    JSONDecodeError. Brackets inside strings are not counted; an unclosed string runs to the end."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for token in _TOKENS.finditer(text):
        match token.group():
            case "[" | "{":
                depth += 1
                if depth > MAX_DEPTH:
                    return True
            case "]" | "}":
                depth -= 1
    return False


def _describe(problem: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body") or "body"
    return f"{where}: {problem.get('msg', 'is not valid')}"


def install(app: ApiGatewayResolver) -> None:
    @app.exception_handler(errors.DomainError)
    def domain_error(exc: errors.DomainError) -> Response[str]:
        extra = {"reason": exc.reason} if isinstance(exc, errors.CodeNotValid) else {}
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
        return error_response(STATUS[type(exc)], exc.code, exc.message, headers=headers, **extra)

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
