"""POST /unsubscribe/{token}: one-click unsubscribe (RFC 8058), from a mail client or the page."""

from __future__ import annotations

import base64
from email.parser import BytesParser
from email.policy import default as mime_policy
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Form, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.errors import lambda_error
from passaparola.api.needs import UnsubscribesDep
from passaparola.api.schema_base import ErrorBody, error_responses, ok
from passaparola.api.schemas import Unsubscribed
from passaparola.domain.tokens import ONE_CLICK, UNSUBSCRIBE_LINK_SHAPE

router = APIGatewayHttpRouter()
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
MAX_BODY_BYTES = 1024  # the one field and a multipart boundary fit many times over
_ONE_FIELD = [tuple(ONE_CLICK.split("="))]


@router.post(
    "/unsubscribe/<token>",
    summary="Unsubscribe an address from a campaign's emails, in one click",
    description=(
        "RFC 8058 one-click unsubscribe: the URL of an email's List-Unsubscribe header, which the "
        "mail client POSTs with the form body `List-Unsubscribe=One-Click` (as "
        "application/x-www-form-urlencoded, or multipart/form-data); the unsubscribe page sends "
        "the same. The token names the address (by a key, never the address) and the campaign, "
        "signed. Later emails about the campaign that do not answer something the person does "
        "are not sent to it; their own link and gift still are. Unsubscribing again changes nothing."
    ),
    tags=["people"],
    responses=ok(200, Unsubscribed, "Unsubscribed (or already was)")
    | error_responses(401, 413)
    | {
        415: {
            "description": f"The body is not a form ({FORM} or {MULTIPART})",
            "content": {"application/json": {"model": ErrorBody}},
        },
        422: {
            "description": "The body is not exactly List-Unsubscribe=One-Click",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def unsubscribe(
    token: Annotated[
        str,
        Path(
            pattern=UNSUBSCRIBE_LINK_SHAPE,
            description="the campaign, the address's key and their signature, from an email's link",
        ),
    ],
    one_click: Annotated[Literal["One-Click"], Form(alias="List-Unsubscribe")],
    unsubscribes: UnsubscribesDep,
) -> Response[Unsubscribed]:
    opt_out = unsubscribes.unsubscribe(token)
    body = Unsubscribed(unsubscribed=True, campaign=opt_out.campaign)
    return Response(200, "application/json", body, {"Cache-Control": "no-store"})


def one_click_body(event: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """This route's body check, in place of JSON's: the one form field RFC 8058 sends, in
    either form encoding, and nothing else. What reaches the route is that field, url-encoded."""
    headers = event.get("headers") or {}
    try:
        raw = (
            base64.b64decode(event.get("body") or "", validate=True)
            if event.get("isBase64Encoded")
            else ((event.get("body") or "").encode("utf-8"))
        )
    except ValueError:
        return lambda_error(422, "invalid_request", f"send the body {ONE_CLICK}"), event
    if len(raw) > MAX_BODY_BYTES:
        return lambda_error(
            413, "payload_too_large", f"request body is larger than {MAX_BODY_BYTES} bytes"
        ), event
    content_type = headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == FORM:
        fields = _form_fields(raw)
    elif media_type == MULTIPART:
        fields = _multipart_fields(raw, content_type)
    elif not raw:
        fields = []
    else:
        return lambda_error(415, "unsupported_media_type", f"send the body {ONE_CLICK} as {FORM}"), event
    if fields != _ONE_FIELD:
        return lambda_error(422, "invalid_request", f"send the body {ONE_CLICK} (RFC 8058)"), event
    plain = headers | {"content-type": FORM}
    return None, event | {"headers": plain, "body": ONE_CLICK, "isBase64Encoded": False}


def _form_fields(raw: bytes) -> list[tuple[str, str]] | None:
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None


def _multipart_fields(raw: bytes, content_type: str) -> list[tuple[str, str]] | None:
    """The form fields of a multipart/form-data body (text fields only), read by the standard
    library's MIME parser."""
    try:
        message = BytesParser(policy=mime_policy).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        if not message.is_multipart() or message.defects:
            return None
        fields = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_content_disposition() != "form-data" or not isinstance(name, str):
                return None
            fields.append((name, str(part.get_content()).strip()))
    except (UnicodeError, ValueError, LookupError):
        return None
    return fields
