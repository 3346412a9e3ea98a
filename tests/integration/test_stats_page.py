"""What the referrer's stats page shows beyond the counts: progress to the next milestone, the
cap and what happens at it, the friends by first name and initial with what came of each,
and the campaign's opt-in leaderboard. On the local stack, through the API.

`lifecycle` rewards 5 € a friend's first order (held 7 days), at most 2 friends, with a
donation once 2 are rewarded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

from passaparola import i18n
from passaparola.storage import aws
from tests.support import Client, Clock, items_under

pytestmark = pytest.mark.integration

ANNA, BEA, CLIO = "anna@example.com", "bea@example.com", "clio@example.com"


def token_of(client: Client, address: str) -> str:
    tokens = [re.search(r"#t=([\w.~-]+)", m["text"]) for m in client.outbox() if m["to"] == [address]]
    found = [t.group(1) for t in tokens if t]
    assert found, f"no stats link was emailed to {address}"
    return found[-1]


def stats(client: Client, token: str, lang: str = "en") -> dict[str, Any]:
    answer = client.call(
        "GET", "/referrers/me", query=f"lang={lang}", headers={"authorization": f"Bearer {token}"}
    )
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def board(client: Client, token: str, body: dict[str, Any]) -> Any:
    return client.call("PUT", "/referrers/me/leaderboard", body, headers={"authorization": f"Bearer {token}"})


def named_claim(client: Client, code: str, email: str, name: str | None) -> None:
    body = {"code": code, "email": email} | ({"name": name} if name is not None else {})
    answer = client.call("POST", "/claims", body)
    assert answer.status == 201, answer.body


def enrolled(client: Client, email: str, name: str | None) -> tuple[str, str]:
    answer = client.call("POST", "/referrers", {"campaign": "lifecycle", "email": email, "name": name})
    assert answer.status == 201, answer.body
    return answer.body["code"], token_of(client, email)


def settle(client: Client) -> None:
    client.run_rollup()
    client.run_worker()
    client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})
    client.run_worker()


def test_progress_the_cap_and_the_friends_follow_the_referrals(client: Client, clock: Clock) -> None:
    code, token = enrolled(client, ANNA, "Anna Rossi")
    start = clock()
    fresh = stats(client, token)
    assert fresh["progress"] == {
        "counted": 0,
        "tiers_reached": 0,
        "tiers": 1,
        "next_tier": {"after": 2, "to_go": 2, "reward": "a €10 donation to Water for All"},
    }
    assert fresh["cap"] == {"max_rewards": 2, "used": 0, "reached": False}
    assert (fresh["friends"], fresh["friends_total"]) == ([], 0)

    named_claim(client, code, "marco@example.com", "  Marco   Bianchi ")
    clock.advance(minutes=5)
    named_claim(client, code, "nina@example.com", None)
    clock.advance(minutes=5)
    named_claim(client, code, "olga@example.com", "olga")
    ordered = clock()  # ten minutes after the start: past midnight, when the test starts before it
    assert client.convert("m-1", "marco@example.com", "30").status == 202
    settle(client)

    midway = stats(client, token)
    assert [(f["name"], f["status"], f["reward_on"]) for f in midway["friends"]] == [
        ("olga", "claimed", None),
        (None, "claimed", None),
        ("Marco B.", "ordered", (ordered + _days(7)).date().isoformat()),
    ]
    assert midway["friends"][-1]["claimed_on"] == start.date().isoformat()
    assert midway["cap"] == {"max_rewards": 2, "used": 1, "reached": False}
    assert midway["progress"]["counted"] == 0  # a milestone counts rewards issued, after the hold

    # Nina's order takes the last slot; its refund gives it back, and Olga's takes it.
    assert client.convert("n-1", "nina@example.com", "25").status == 202
    settle(client)
    assert stats(client, token)["cap"]["reached"] is True
    assert client.signed("/refunds", {"order_id": "n-1"}).status == 202
    assert client.convert("o-1", "olga@example.com", "40").status == 202
    clock.advance(days=8)
    settle(client)

    done = stats(client, token)
    assert [(f["name"], f["status"]) for f in done["friends"]] == [
        ("olga", "rewarded"),
        (None, "void"),
        ("Marco B.", "rewarded"),
    ]
    assert done["cap"] == {"max_rewards": 2, "used": 2, "reached": True}
    assert done["progress"] == {"counted": 2, "tiers_reached": 1, "tiers": 1, "next_tier": None}
    # the friend's full name stays on their claim; the code's list holds first name and initial
    listed = items_under(client.stack, f"CODE#{code}", "FRIEND#")
    assert sorted(i.get("name", "") for i in listed) == ["", "Marco B.", "olga"]
    assert "Bianchi" not in str(listed)


def test_the_next_milestone_is_described_in_the_pages_language(client: Client, clock: Clock) -> None:
    _, token = enrolled(client, ANNA, "Anna")
    ten = i18n.money(Decimal(10), "EUR", "fr")  # with French's narrow no-break space
    # the charity's name as the campaign's French translation gives it
    assert (
        stats(client, token, "fr")["progress"]["next_tier"]["reward"]
        == f"un don de {ten} à De l'eau pour tous"
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [("x" * 61, "60"), ("marco@example.com", "email"), ("see https://x.example", "link")],
)
def test_a_claims_name_is_a_name_of_at_most_60_characters(client: Client, name: str, why: str) -> None:
    code, _ = enrolled(client, ANNA, "Anna")
    answer = client.call("POST", "/claims", {"code": code, "email": "marco@example.com", "name": name})
    assert answer.status == 422, answer.body
    assert why in answer.body["message"]
    assert client.call("GET", f"/codes/{code}").body["valid"] is True
    assert items_under(client.stack, f"CODE#{code}", "FRIEND#") == []


@contextmanager
def recorded() -> Iterator[list[tuple[str, str | None]]]:
    """Each DynamoDB call the functions make, with the index it reads, if any."""
    calls: list[tuple[str, str | None]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append((model.name, params.get("IndexName")))

    events = aws.client("dynamodb").meta.events
    events.register("before-parameter-build.dynamodb", record)
    try:
        yield calls
    finally:
        events.unregister("before-parameter-build.dynamodb", record)


def test_the_leaderboard_shows_only_who_opted_in(client: Client, clock: Clock) -> None:
    anna, anna_token = enrolled(client, ANNA, "Anna Rossi")
    bea, bea_token = enrolled(client, BEA, None)
    _, clio_token = enrolled(client, CLIO, "Clio")
    named_claim(client, anna, "marco@example.com", "Marco")
    named_claim(client, anna, "nina@example.com", "Nina")
    named_claim(client, bea, "olga@example.com", "Olga")
    assert client.convert("b-1", "olga@example.com", "30").status == 202
    settle(client)

    nobody = stats(client, clio_token)["leaderboard"]
    assert nobody == {"top": [], "opted_in": False, "display_name": None, "place": None, "ranked": False}

    joined = board(client, anna_token, {"opt_in": True})
    assert joined.status == 200, joined.body
    assert joined.headers["cache-control"] == "no-store, private"
    assert joined.body == {
        "top": [{"place": 1, "display_name": "Anna R.", "claims": 2, "orders": 0}],
        "opted_in": True,
        "display_name": "Anna R.",
        "place": 1,
        "ranked": True,
    }
    # Bea enrolled without a name: she chooses the one to show, or is told to
    assert board(client, bea_token, {"opt_in": True}).status == 422
    assert board(client, bea_token, {"opt_in": True, "display_name": "x" * 31}).status == 422
    assert board(client, bea_token, {"opt_in": True, "display_name": "B-Team"}).status == 200
    seen = stats(client, clio_token)["leaderboard"]
    # one order outranks any number of friends who only accepted
    assert [(r["place"], r["display_name"], r["claims"], r["orders"]) for r in seen["top"]] == [
        (1, "B-Team", 1, 1),
        (2, "Anna R.", 2, 0),
    ]
    assert stats(client, anna_token)["leaderboard"]["place"] == 2
    # the top of the board sees the rest of it too
    top = stats(client, bea_token)["leaderboard"]
    assert ([r["display_name"] for r in top["top"]], top["place"]) == (["B-Team", "Anna R."], 1)

    # Clio, on the board before any friend accepted: opted in, with no place yet
    clio = board(client, clio_token, {"opt_in": True, "display_name": "Clio"}).body
    assert (clio["opted_in"], clio["place"], clio["ranked"]) == (True, None, False)

    left = board(client, anna_token, {"opt_in": False})
    assert (left.body["opted_in"], left.body["place"]) == (False, None)
    assert [r["display_name"] for r in left.body["top"]] == ["B-Team"]
    (item,) = items_under(client.stack, f"CODE#{anna}", "CODE")
    assert "board_pk" not in item and "board_name" not in item


def test_a_stats_view_reads_the_code_its_clicks_and_the_board_once_each(client: Client, clock: Clock) -> None:
    code, token = enrolled(client, ANNA, "Anna")
    named_claim(client, code, "marco@example.com", "Marco")
    settle(client)
    stats(client, token)  # warm: the key is read once per cold start
    for opted_in in (False, True):
        with recorded() as calls:
            stats(client, token)
        # the code's partition (code, rewards, friends), its eight click shards, and the board
        assert calls == [("Query", None)] * 9 + [("Query", "board")], opted_in
        assert board(client, token, {"opt_in": True}).status == 200


def test_the_leaderboard_needs_the_stats_token(client: Client) -> None:
    answer = client.call("PUT", "/referrers/me/leaderboard", {"opt_in": True})
    assert (answer.status, answer.body["error"]) == (401, "invalid_token")


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)
