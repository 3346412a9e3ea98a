"""Request and response bodies of the console's sign-in (api/sign_in.py), apart from the
business's other routes: the sign-in function does not load the reports' models."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from passaparola.api.schema_base import ApiModel, Email, Incoming, Locale


class SignInRequest(Incoming):
    email: Email
    locale: Locale | None = None


class Accepted(ApiModel):
    message: str


class SessionRequest(Incoming):
    token: Annotated[str, Field(min_length=1, max_length=128, description="from the #signin= link")]


class SessionResponse(ApiModel):
    session: str = Field(description="send as 'Authorization: Bearer <session>'")
    expires_at: str
    email: str
