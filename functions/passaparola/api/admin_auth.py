"""The business's routes answer only an admin: the gate every one of them runs behind.

The gate runs before any route (and so before the request is validated): without a valid
credential the answer is 401 whatever else the request holds, and nothing about the routes'
parameters leaks to someone without one. Who passed is put in the resolver's context for the
route, which records it with what it does.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola import wiring
from passaparola.api.app import Gate
from passaparola.api.errors import lambda_error
from passaparola.domain.admin import Admin
from passaparola.domain.errors import Unauthorized


def admin_gate(*, or_else: Gate | None = None) -> Gate:
    """401 unless the request carries an admin credential. `or_else`, when given, judges a
    request that carries no Authorization header at all (a shop's signed call)."""

    def gate(event: dict[str, Any]) -> dict[str, Any] | None:
        context = event.setdefault("requestContext", {})
        context.pop("authorizer", None)
        authorization = (event.get("headers") or {}).get("authorization")
        if authorization is None and or_else is not None:
            return or_else(event)
        try:
            admin = wiring.credentials().check(authorization, wiring.now())
        except Unauthorized as refused:
            return lambda_error(401, refused.code, refused.message)
        context["authorizer"] = {"lambda": {"admin_kind": admin.kind, "admin_id": admin.id}}
        return None

    return gate


def caller(router: APIGatewayHttpRouter) -> Admin | None:
    """The admin the gate let through; None for a call the gate let through otherwise."""
    found = (router.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    who = found.get("lambda") or {}
    kind, identity = who.get("admin_kind"), who.get("admin_id")
    if kind == "key" and identity:
        return Admin("key", identity)
    if kind == "person" and identity:
        return Admin("person", identity)
    return None
