"""POST /admin/sign-in and POST /admin/sessions: people sign in to the console by email."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.needs import LinkRequestsDep, SignInAddressLimitDep, SignInDep, SignInLimitDep
from passaparola.api.origin import client_address
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.sign_in_schemas import Accepted, SessionRequest, SessionResponse, SignInRequest

router = APIGatewayHttpRouter()
_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/admin/sign-in",
    summary="Email a console sign-in link to an admin",
    description=(
        "Always 202, whether or not the address is an admin, after the same steps: only an "
        "address listed in a brand file's admins gets an email (within seconds, from a queue), "
        "with a link that works once, within 15 minutes. Limited per client (a few a minute) "
        "and per address (a few an hour), admin or not: the 429 is the same either way."
    ),
    tags=["admin"],
    responses=ok(202, Accepted, "If the address is an admin's, a link is on its way")
    | error_responses(400, 403, 413, 415, 422, 429),
)
def ask_for_link(
    body: SignInRequest,
    limit: SignInLimitDep,
    address_limit: SignInAddressLimitDep,
    links: LinkRequestsDep,
) -> Response[Accepted]:
    limit.hit(client_address(router.current_event))
    # Every address alike: neither a 429 nor the time taken says whether it is an admin's.
    address_limit.hit(body.email)
    links.ask("sign_in", body.email, body.locale)
    answer = Accepted(message="if this address may sign in, a link is on its way to it")
    return Response(202, "application/json", answer, _NO_STORE)


@router.post(
    "/admin/sessions",
    summary="Trade a sign-in link's token for a 12-hour session",
    description="The token is single-use: a second try, or one after 15 minutes, is a 401.",
    tags=["admin"],
    responses=ok(201, SessionResponse, "The session, to send as 'Authorization: Bearer <session>'")
    | error_responses(400, 401, 403, 413, 415, 422),
)
def open_session(body: SessionRequest, sign_in: SignInDep) -> Response[SessionResponse]:
    opened = sign_in.redeem(body.token)
    answer = SessionResponse(
        session=opened.session,
        expires_at=opened.expires_at.isoformat(),
        email=opened.email,
    )
    return Response(201, "application/json", answer, _NO_STORE)
