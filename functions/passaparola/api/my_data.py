"""POST /me/link, GET /me and DELETE /me: a person's own data (README, "Your data")."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api.needs import DataLinkAddressLimitDep, DataLinkLimitDep, LinkRequestsDep, MyDataDep
from passaparola.api.origin import client_address
from passaparola.api.schema_base import error_responses, ok
from passaparola.api.schemas import (
    DataLinkRequest,
    DataLinkRequested,
    FraudMarkers,
    MyDataDeleted,
    MyDataExport,
)
from passaparola.domain.errors import InvalidToken

router = APIGatewayHttpRouter()
_PRIVATE = {"Cache-Control": "no-store, private"}
_AUTH = (
    "Needs `Authorization: Bearer <token>`: the token of the emailed data link (an hour), or "
    "of a referrer's private stats link."
)
_DELETE_AUTH = (
    "Needs `Authorization: Bearer <token>` with the token of the emailed data link (an hour): "
    "a stats link is refused (401). The link deletes once: when the deletion is done, it and "
    "every data link issued before it answer 401 here and on `GET /me`; ask for a new one."
)


@router.post(
    "/me/link",
    summary="Email a link to see, download or delete one's data",
    description=(
        "Always 202, whether or not the kit holds anything about the address, after the same "
        "steps: only an address it holds something about gets an email (within seconds, from a "
        "queue), with a link that works for an hour. Limited per client (a few a minute) and "
        "per address (a few an hour), known or not: the 429 is the same either way."
    ),
    tags=["people"],
    responses=ok(202, DataLinkRequested, "If the kit holds anything about the address, a link is on its way")
    | error_responses(400, 403, 413, 415, 422, 429),
)
def ask_for_link(
    body: DataLinkRequest,
    limit: DataLinkLimitDep,
    address_limit: DataLinkAddressLimitDep,
    links: LinkRequestsDep,
) -> Response[DataLinkRequested]:
    limit.hit(client_address(router.current_event))
    # Every address alike: neither a 429 nor the time taken says whether it is known.
    address_limit.hit(body.email)
    links.ask("data", body.email, body.lang)
    answer = DataLinkRequested(message="if we hold anything about this address, a link is on its way to it")
    return Response(202, "application/json", answer, _PRIVATE)


@router.get(
    "/me",
    summary="Everything the kit holds about a person, as JSON",
    description=_AUTH,
    tags=["people"],
    responses=ok(200, MyDataExport, "Every item, as stored, by kind") | error_responses(401, 422),
)
def export(
    my_data: MyDataDep, authorization: Annotated[str | None, Header()] = None
) -> Response[MyDataExport]:
    found = my_data.export(_token(authorization))
    body = MyDataExport(
        exported_at=found["exported_at"],
        addresses=found["addresses"],
        items=found["items"],
        fraud_markers=FraudMarkers(**found["fraud_markers"]),
    )
    return Response(200, "application/json", body, _PRIVATE)


@router.delete(
    "/me",
    summary="Delete everything the kit holds about a person",
    description=(
        f"{_DELETE_AUTH} Money records (rewards issued, orders and their amounts) stay, without "
        "the address or the name; rewards not yet issued are voided; referral codes stop working; "
        "no email goes to the address again. A deletion a failure interrupted is finished by "
        "the same link."
    ),
    tags=["people"],
    responses=ok(200, MyDataDeleted, "Deleted") | error_responses(401, 403, 415, 422),
)
def delete(
    my_data: MyDataDep, authorization: Annotated[str | None, Header()] = None
) -> Response[MyDataDeleted]:
    done = my_data.delete(_token(authorization))
    return Response(200, "application/json", MyDataDeleted(deleted=done.deleted, kept=done.kept), _PRIVATE)


def _token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("send the token from your data link as 'Authorization: Bearer <token>'")
    return token.strip()
