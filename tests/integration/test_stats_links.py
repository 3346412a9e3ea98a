"""A referrer's private stats link: it expires, and asking for a new one revokes the old ones."""

import re

import pytest

from passaparola import wiring
from tests.support import dynamodb_calls

pytestmark = pytest.mark.integration


def latest_link(client, address):
    tokens = [re.search(r"#t=([\w.~-]+)", m["text"]) for m in client.outbox() if m["to"] == [address]]
    found = [t.group(1) for t in tokens if t]
    assert found, f"no stats link was emailed to {address}"
    return found[-1]


def stats(client, token):
    return client.call("GET", "/referrers/me", headers={"authorization": f"Bearer {token}"})


@pytest.fixture
def token(client, clock):
    client.enrol("anna@example.com", campaign="gift")
    return latest_link(client, "anna@example.com")


def test_a_stats_link_works_for_90_days_and_then_no_more(client, clock, token):
    clock.advance(days=89)
    assert stats(client, token).status == 200
    clock.advance(days=2)
    answer = stats(client, token)
    assert (answer.status, answer.body["error"]) == (401, "invalid_token")
    assert "expired" in answer.body["message"]


def test_the_lifetime_of_stats_links_is_configured(client, clock, token, monkeypatch):
    monkeypatch.setenv("STATS_LINK_DAYS", "7")
    wiring.reset()
    clock.advance(days=8)
    assert stats(client, token).status == 401


def test_asking_for_a_new_link_revokes_the_older_ones(client, clock, token):
    """A leaked link stops working once its owner asks for a new one (by enrolling again)."""
    clock.advance(days=1, seconds=1)
    client.enrol("anna@example.com", campaign="gift")
    newer = latest_link(client, "anna@example.com")
    assert newer != token
    revoked = stats(client, token)
    assert (revoked.status, revoked.body["error"]) == (401, "invalid_token")
    assert "newer" in revoked.body["message"]
    assert stats(client, newer).status == 200


def test_enrolling_again_without_a_new_email_keeps_the_link(client, clock, token):
    clock.advance(hours=2)
    client.enrol("anna@example.com", campaign="gift")  # the day's welcome is sent: nothing new
    assert latest_link(client, "anna@example.com") == token
    assert stats(client, token).status == 200


def test_checking_a_link_adds_no_read_to_the_stats_own(client, token):
    """The code's query (its item, which the link is checked against, its rewards and its
    friends), then its clicks (one keys-only query of each of its eight visit shards), then one
    query of the campaign's leaderboard."""
    stats(client, token)  # warm: the key is read once per cold start
    with dynamodb_calls() as calls:
        assert stats(client, token).status == 200
    assert calls == ["Query"] * 10
