"""Who may delete a person's data, on fakes: only the data link emailed on request, and only
once; a referrer's stats link, in every reward email for months, opens the export alone.
What deletion does to each kind of item stays on moto (tests/integration/test_my_data.py)."""

from __future__ import annotations

import re

import pytest

from tests.support import Clock

pytestmark = pytest.mark.unit

ANNA = "anna@example.com"


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _stats_token(client) -> str:
    (welcome,) = [m for m in client.outbox() if m.to == ANNA and "#t=" in m.text]
    found = re.search(r"#t=([\w.-]+)", welcome.text)
    assert found
    return found[1]


def _data_link(client) -> str:
    sent = len(client.outbox())
    assert client.call("POST", "/me/link", {"email": ANNA}).status == 202
    client.run_links()
    (mail,) = client.outbox()[sent:]
    found = re.search(r"/my-data/#token=([\w.-]+)", mail.text)
    assert found, mail.text
    return found[1]


@pytest.fixture
def anna(client, clock: Clock) -> str:
    enrolled = client.enrol(ANNA, campaign="instant")
    assert enrolled.status == 201, enrolled.body
    return str(enrolled.body["code"])


def test_a_stats_link_opens_the_export_but_deletes_nothing(client, anna):
    token = _stats_token(client)
    exported = client.call("GET", "/me", headers=_bearer(token))
    assert exported.status == 200, exported.body
    assert [c["code"] for c in exported.body["items"]["referral_codes"]] == [anna]
    before = client.state()
    refused = client.call("DELETE", "/me", headers=_bearer(token))
    assert refused.status == 401
    assert refused.body["error"] == "invalid_token"
    assert "link emailed on request" in refused.body["message"]
    assert client.state() == before
    assert client.adapters.memory.referrers[anna].email == ANNA


def test_a_data_link_deletes_once_then_opens_nothing(client, anna):
    token = _data_link(client)
    assert client.call("GET", "/me", headers=_bearer(token)).status == 200
    deleted = client.call("DELETE", "/me", headers=_bearer(token))
    assert (deleted.status, deleted.body["deleted"]) == (200, 1)
    for method in ("DELETE", "GET"):
        again = client.call(method, "/me", headers=_bearer(token))
        assert again.status == 401, again.body
        assert again.body["error"] == "invalid_token"
        assert "used to delete" in again.body["message"]


def test_a_deletion_closes_every_data_link_issued_before_it_but_not_a_later_one(client, clock, anna):
    older = _data_link(client)
    clock.advance(seconds=5)
    used = _data_link(client)
    assert client.call("DELETE", "/me", headers=_bearer(used)).status == 200
    assert client.call("GET", "/me", headers=_bearer(older)).status == 401
    client.enrol(ANNA, campaign="trial")  # she joins again, and asks for a new link
    clock.advance(seconds=1)
    newer = _data_link(client)
    exported = client.call("GET", "/me", headers=_bearer(newer))
    assert exported.status == 200, exported.body
    assert "data_links_from" not in exported.body["items"]["unsubscribes"][0]
    assert client.call("DELETE", "/me", headers=_bearer(newer)).status == 200


def test_a_deletion_a_failure_cut_short_is_finished_with_the_same_link(client, anna):
    token = _data_link(client)

    def fail() -> None:
        raise ConnectionError("DynamoDB is down")

    client.adapters.memory.before("personal.erase", fail)
    assert client.call("DELETE", "/me", headers=_bearer(token)).status >= 500
    assert client.adapters.memory.referrers[anna].email == ANNA
    finished = client.call("DELETE", "/me", headers=_bearer(token))
    assert (finished.status, finished.body["deleted"]) == (200, 1)
    assert client.adapters.memory.referrers[anna].email == ""
