"""What the schemas of every function share: the models' base classes, the fields several
bodies take, the error body, and the OpenAPI entries of a route's answers. Beside these, the
public functions import api/schemas.py, the business's api/admin_schemas.py and the console's
sign-in api/sign_in_schemas.py: none loads another's kind of models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from passaparola.domain.text import NoControlCharacter
from passaparola.domain.vocabulary import ErrorCode

Email = Annotated[
    str,
    NoControlCharacter,
    Field(
        min_length=3,
        max_length=254,
        description="no control characters; an international domain (IDNA) is taken",
        examples=["anna@example.com"],
    ),
]
CodeText = Annotated[str, Field(min_length=1, max_length=32, examples=["SPRING-7KQMX2R9P"])]
Locale = Annotated[str, Field(pattern=r"^[a-z]{2}$", examples=["it"])]
OrderId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:#/-]+$",
        examples=["1001", "gid://shopify/Order/1001"],
    ),
]


class ApiModel(BaseModel):
    # Built (validator, serializer, JSON schema) when first used, not when imported: a function's
    # cold start does not pay for the models of routes its requests have not reached yet.
    model_config = ConfigDict(defer_build=True)


class Incoming(ApiModel):
    # Shops and pages may send more than we read; unknown fields are ignored, not refused.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ErrorBody(ApiModel):
    error: ErrorCode = Field(description="stable machine-readable name, e.g. invalid_code")
    message: str = Field(description="what is wrong, for a person")
    reason: str | None = Field(default=None, description="the finer cause, where there is one")


def error_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI entries for the error answers a route can give."""
    names = {
        400: "Malformed JSON, not UTF-8, or nested more than 32 arrays or objects deep",
        401: "Missing, stale or wrong signature or token",
        403: "This origin or method may not call this route from a browser",
        404: "Not found",
        409: "The same request is being processed; retry",
        413: "Body too large",
        415: "The body is not application/json in UTF-8",
        422: "A value is missing or not acceptable",
        429: "Too many requests from this client; Retry-After says when to try again",
    }
    retry_after = {
        "Retry-After": {
            "description": "seconds until the client's window ends",
            "schema": {"type": "integer"},
        }
    }
    return {
        status: {"description": names[status], "content": {"application/json": {"model": ErrorBody}}}
        | ({"headers": retry_after} if status == 429 else {})
        for status in statuses
    }


def ok(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}
