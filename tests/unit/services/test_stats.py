"""The stats page's service on the in-memory ports: the friends a claim lists, what came of
each, the next milestone, and the leaderboard's opt-in."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from passaparola import wiring
from passaparola.domain.errors import InvalidInput, InvalidToken
from passaparola.domain.tokens import link_epoch
from passaparola.services.stats import Stats
from tests.fakes import person_key
from tests.unit.services.conftest import ELSEWHERE, World

pytestmark = pytest.mark.unit


@pytest.fixture
def stats(world: World) -> Stats:
    return wiring.build_stats(world.adapters, wiring.build_click_counter(world.adapters))


def token(stats: Stats, code: str) -> str:
    return stats.tokens.issue(code, stats.clock())


def test_each_friend_is_listed_by_first_name_and_initial_with_what_came_of_them(
    world: World, stats: Stats
) -> None:
    code = world.enrol("anna@example.com")
    world.claims.claim(code, "marco@example.com", "en", None, ELSEWHERE, "Marco Bianchi")
    world.pass_time(minutes=1)
    world.claim(code, "nina@example.com")
    world.convert("m-1", "marco@example.com")
    world.work()
    assert world.rewards_of(code)["order-m-1"].friend == person_key("marco@example.com")
    seen = stats.for_token(token(stats, code), "en")
    assert [(f.name, f.status) for f in seen.friends] == [(None, "claimed"), ("Marco B.", "ordered")]
    assert seen.friends[1].release_at == world.clock() + timedelta(days=14)
    assert (seen.friends_total, seen.cap and seen.cap.used, seen.progress.counted) == (2, 1, 0)
    assert seen.next_reward == "A mug"

    world.pass_time(days=15)
    world.sweep()
    rewarded = stats.for_token(token(stats, code), "en")
    assert [f.status for f in rewarded.friends] == ["claimed", "rewarded"]
    assert rewarded.progress.counted == 1 and rewarded.progress.next is not None
    assert rewarded.progress.next.to_go == 1


def test_the_leaderboard_takes_the_enrolment_name_shortened_or_one_given(world: World, stats: Stats) -> None:
    code = world.enrolment.enrol("gift", "anna@example.com", "Anna Rossi", "en", ELSEWHERE).code
    world.memory.referrers[code] = replace(world.memory.referrers[code], rank=3)
    joined = stats.set_board(token(stats, code), True, None)
    assert (joined.name, joined.place, [p.entry.name for p in joined.top]) == ("Anna R.", 1, ["Anna R."])
    renamed = stats.set_board(token(stats, code), True, "  The   Roaster ")
    assert renamed.name == "The Roaster"
    left = stats.set_board(token(stats, code), False, None)
    assert (left.opted_in, left.top) == (False, ())


def test_the_leaderboard_needs_a_name_and_a_live_link(world: World, stats: Stats) -> None:
    code = world.enrolment.enrol("gift", "bea@example.com", None, "en", ELSEWHERE).code
    with pytest.raises(InvalidInput):
        stats.set_board(token(stats, code), True, None)
    with pytest.raises(InvalidInput):
        stats.set_board(token(stats, code), True, "bea@example.com")
    old = token(stats, code)
    world.pass_time(days=2)
    world.memory.referrers[code] = replace(
        world.memory.referrers[code], links_valid_from=link_epoch(world.clock())
    )
    with pytest.raises(InvalidToken):
        stats.set_board(old, True, "Bea")
    assert world.memory.referrers[code].board_name is None
