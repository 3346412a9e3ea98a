"""Only admins reach the business's routes: a referrer's stats token opens only its own page,
and sign-in links and sessions live as long as they should, on the real adapters. The gate's
refusal of every non-credential is tested on fakes (tests/unit/http/test_admin_access.py)."""

import re

import pytest

from tests.support import ADMIN, ADMIN_KEY

pytestmark = pytest.mark.integration


def _enrolled_stats_token(client):
    client.enrol("anna@example.com", campaign="trial")
    for mail in client.outbox():
        found = re.search(r"#t=([\w.~-]+)", mail["text"])
        if found:
            return found.group(1)
    raise AssertionError("no stats link was mailed")


def test_the_same_stats_token_still_opens_its_own_stats_page(client):
    token = _enrolled_stats_token(client)
    assert client.call("GET", "/referrers/me", headers={"authorization": f"Bearer {token}"}).status == 200


def _sign_in(client, email=ADMIN):
    assert client.call("POST", "/admin/sign-in", {"email": email}).status == 202
    client.run_links()
    links = [re.search(r"#signin=([\w-]+)", m["text"]) for m in client.outbox() if m["to"] == [email.lower()]]
    return [link.group(1) for link in links if link]


def test_an_admin_signs_in_by_the_emailed_link_and_the_session_works(client):
    (token,) = _sign_in(client, "Boss@Shop.test")
    opened = client.call("POST", "/admin/sessions", {"token": token})
    assert opened.status == 201
    assert opened.body["email"] == ADMIN
    assert opened.body["session"].startswith("pps_")
    assert client.admin("GET", "/reviews", key=opened.body["session"]).status == 200


def test_a_used_sign_in_link_opens_nothing_the_second_time(client):
    (token,) = _sign_in(client)
    assert client.call("POST", "/admin/sessions", {"token": token}).status == 201
    again = client.call("POST", "/admin/sessions", {"token": token})
    assert (again.status, again.body["error"]) == (401, "unauthorized")


def test_a_sign_in_link_is_dead_after_15_minutes(client, clock):
    (token,) = _sign_in(client)
    clock.advance(minutes=15, seconds=1)
    assert client.call("POST", "/admin/sessions", {"token": token}).status == 401


def test_a_session_is_refused_once_expired(client, clock):
    (token,) = _sign_in(client)
    session = client.call("POST", "/admin/sessions", {"token": token}).body["session"]
    clock.advance(hours=12)
    answer = client.admin("GET", "/reviews", key=session)
    assert (answer.status, answer.body["error"]) == (401, "unauthorized")


def test_asking_for_a_non_admins_link_answers_the_same_and_sends_nothing(client):
    sent = len(client.outbox())
    admin = client.call("POST", "/admin/sign-in", {"email": ADMIN})
    stranger = client.call("POST", "/admin/sign-in", {"email": "mallory@example.com"})
    assert (stranger.status, stranger.body) == (admin.status, admin.body)
    assert stranger.headers == admin.headers
    client.run_links()
    assert [m["to"] for m in client.outbox()[sent:]] == [[ADMIN]]


def test_a_key_from_a_rotated_secret_works_alongside_the_old_one(client, stack):
    from passaparola.storage import aws

    new = "ppk_" + "n" * 40
    aws.client("secretsmanager").put_secret_value(
        SecretId=stack.ref("AdminKeysSecret"), SecretString=f"{new} {ADMIN_KEY}"
    )
    from passaparola.storage import secret_store

    secret_store.forget()  # the functions cache the secret 5 minutes
    assert client.admin("GET", "/reviews", key=new).status == 200
    assert client.admin("GET", "/reviews", key=ADMIN_KEY).status == 200
