"""The two routes that mail a link to the address typed answer after the same steps whatever
the address (issue 19, item 3): each queues one request and looks nothing up; the link queue's
worker then writes a token and mails the link, only to an address it is for. On fakes; the
queue and its worker on moto are in tests/integration/test_link_queue.py, and the answers'
times are measured by `passaparola bench timing`."""

from __future__ import annotations

import pytest

from passaparola.domain.link_requests import LinkRequest
from tests.support import ADMIN

pytestmark = pytest.mark.unit

ANNA = "anna@example.com"
STRANGER = "nobody@example.com"
# route: (its path, its language field, the kind it queues, an address the kit knows)
ROUTES = {
    "sign-in": ("/admin/sign-in", "locale", "sign_in", ADMIN),
    "me": ("/me/link", "lang", "data", ANNA),
}


@pytest.fixture
def anna(client, clock) -> None:
    assert client.enrol(ANNA, campaign="instant").status == 201


@pytest.mark.parametrize("route", ROUTES)
def test_the_route_queues_one_request_for_any_address_and_the_worker_mails_only_the_known(
    client, anna, route
):
    path, language, kind, known = ROUTES[route]
    mailed, links = len(client.outbox()), dict(client.adapters.sign_ins.links)
    answers = [
        client.call("POST", path, {"email": address, language: "it"}, source_ip=f"192.0.2.{n}")
        for n, address in enumerate((f"  {known.upper()} ", STRANGER))
    ]
    assert answers[0].status == answers[1].status == 202
    assert (answers[0].body, answers[0].headers) == (answers[1].body, answers[1].headers)
    # Before the worker: nothing written, nothing mailed, known or not; one request each.
    assert (len(client.outbox()), client.adapters.sign_ins.links) == (mailed, links)
    asked = client.adapters.links_asked.sent
    assert [(r.kind, r.address, r.language) for r in asked] == [(kind, known, "it"), (kind, STRANGER, "it")]
    assert asked[0].request_id != asked[1].request_id
    assert client.run_links() == [True, False]
    (mail,) = client.outbox()[mailed:]
    assert mail.to == known
    assert "/it/" in mail.text


@pytest.mark.parametrize("route", ROUTES)
def test_a_language_without_a_catalogue_is_asked_in_the_default_one(client, anna, route):
    path, language, _, known = ROUTES[route]
    assert client.call("POST", path, {"email": known, language: "xx"}).status == 202
    (request,) = client.adapters.links_asked.sent
    assert request.language == "en"


@pytest.mark.parametrize("route", ROUTES)
def test_an_address_that_cannot_be_one_is_refused_and_nothing_is_queued(client, route):
    path, _, _, _ = ROUTES[route]
    _, queued, mailed = client.state()
    refused = client.call("POST", path, {"email": "not-an-address"})
    assert refused.status == 422
    assert refused.body == {"error": "invalid_input", "message": "email is not a valid email address"}
    # The client's count went up (a bad request counts), and nothing else happened.
    assert client.state()[1:] == (queued, mailed)


def test_a_data_link_goes_to_the_address_as_asked_and_a_sign_in_link_to_an_admin_only(client, anna):
    """The kinds are not crossed: an admin the kit holds nothing else about gets no data link,
    and a referrer who is no admin gets no sign-in link."""
    queue = client.adapters.link_queue()
    for kind, address in (("data", ADMIN), ("sign_in", ANNA), ("data", ANNA), ("sign_in", ADMIN)):
        queue.send(LinkRequest(kind, address, "en", f"{kind}-{address}"))
    assert client.run_links() == [False, False, True, True]
    assert [
        "/my-data/" in m.text for m in client.outbox() if m.to in (ANNA, ADMIN) and "#t=" not in m.text
    ] == [
        True,
        False,
    ]
