"""What a referrer's stats page says: the next milestone, the cap, each friend's status, the
leaderboard's places, and how a person is named in a list."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from passaparola.domain import people, progress, stats_page
from passaparola.domain.campaign import CampaignRules, Credit
from passaparola.domain.errors import InvalidInput
from passaparola.domain.records import BoardEntry, Friend, Owner, Reward

pytestmark = pytest.mark.unit

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
GIFT = {"type": "gift", "description": "A hoodie"}


def rules(**change):
    return CampaignRules.model_validate(
        {"slug": "shop", "brand": "b", "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"}}
        | change
    )


def reward(friend, status, *, role="referrer", created=NOW, hold_until=None, reward_id=None):
    return Reward(
        owner=Owner.referrer("SHOP-BCDFGHJKM"),
        reward_id=reward_id or f"order-{friend}-{status}",
        role=role,
        spec=Credit(type="credit", amount=Decimal(10), currency="EUR"),
        value=Decimal(10),
        currency="EUR",
        hold_days=14,
        campaign="shop",
        code="SHOP-BCDFGHJKM",
        status=status,
        created_at=created,
        hold_until=hold_until,
        friend=friend,
    )


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Anna Kowalska", "Anna K."),
        ("  anna   maria kowalska ", "anna K."),
        ("Jean-Pierre d'Arc", "Jean-Pierre D."),
        ("Мария Щукина", "Мария Щ."),
        ("Anna", "Anna"),
        ("Anna 42", "Anna"),  # a last word with no letter gives no initial
        ("Wolfeschlegelsteinhausenbergerdorff Smith", "Wolfeschlegelsteinhause… S."),
        ("", None),
        (None, None),
    ],
)
def test_a_person_is_shown_by_first_name_and_last_initial(given, shown):
    assert people.short_name(given) == shown


def test_a_friends_name_may_be_up_to_60_characters_and_never_an_address():
    assert people.display_name("x" * 60, people.MAX_FRIEND_NAME) == "x" * 60
    with pytest.raises(InvalidInput):
        people.display_name("x" * 61, people.MAX_FRIEND_NAME)
    with pytest.raises(InvalidInput):
        people.display_name("marco@example.com", people.MAX_FRIEND_NAME)


def test_progress_counts_what_milestones_count_and_names_the_next_one():
    campaign = rules(tiers=[{"after": 3, "reward": GIFT}, {"after": 10, "reward": GIFT}])
    start = progress.progress(campaign, 0)
    assert (start.counted, start.reached, start.tiers) == (0, 0, 2)
    assert start.next is not None and (start.next.tier.after, start.next.to_go) == (3, 3)
    midway = progress.progress(campaign, 4)
    assert (
        midway.reached == 1
        and midway.next is not None
        and (midway.next.tier.after, midway.next.to_go) == (10, 6)
    )
    done = progress.progress(campaign, 10)
    assert (done.reached, done.next) == (2, None)
    assert progress.progress(rules(), 7).next is None
    assert progress.progress(None, 7) == progress.Progress(7, 0, 0, None)


def test_the_cap_is_reached_when_every_slot_is_used():
    assert progress.cap(rules(), 99) is None
    capped = rules(max_rewards_per_referrer=2)
    assert progress.cap(capped, 1) == progress.CapState(2, 1) and not progress.CapState(2, 1).reached
    assert progress.CapState(2, 2).reached


def test_a_friends_status_follows_the_referrers_reward_for_them():
    held = reward("f", "held", hold_until=NOW + timedelta(days=14))
    assert progress.friend_status([]) == ("claimed", None)
    assert progress.friend_status([held]) == ("ordered", NOW + timedelta(days=14))
    # a pending reward is due when its hold, not yet started, would end
    assert progress.friend_status([reward("f", "pending")]) == ("ordered", NOW + timedelta(days=14))
    assert progress.friend_status([reward("f", "review")]) == ("ordered", None)
    assert progress.friend_status([reward("f", "issued")]) == ("rewarded", None)
    assert progress.friend_status([reward("f", "void")]) == ("void", None)
    assert progress.friend_status([reward("f", "clawed_back")]) == ("void", None)
    # a revenue share's later orders: any reward issued is a rewarded friend
    assert progress.friend_status([reward("f", "void"), reward("f", "issued")]) == ("rewarded", None)


def test_friends_are_listed_newest_first_with_only_their_own_rewards():
    listed = [
        Friend("old", NOW - timedelta(days=3), "Olga S."),
        Friend("new", NOW, None),
        Friend("mid", NOW - timedelta(days=1), "Marco R."),
    ]
    rewards = [
        reward("mid", "issued"),
        # a milestone's reward is no friend's, whatever it names
        reward("new", "issued", role="tier", reward_id="tier-3"),
    ]
    shown = progress.friends(listed, rewards)
    assert [(f.name, f.status) for f in shown] == [
        (None, "claimed"),
        ("Marco R.", "rewarded"),
        ("Olga S.", "claimed"),
    ]


def test_the_list_of_friends_shows_the_newest_fifty():
    listed = [Friend(f"f{n}", NOW + timedelta(minutes=n)) for n in range(60)]
    shown = progress.friends(listed, [])
    assert len(shown) == stats_page.FRIENDS_SHOWN == 50
    assert shown[0].claimed_at == NOW + timedelta(minutes=59)


def entry(code, rank, name=None):
    return BoardEntry(code, name or code.title(), claims=rank % 1000, orders=rank // 1000, rank=rank)


def test_places_on_the_board_are_shared_by_equal_ranks():
    ranked = [entry("a", 3000), entry("b", 2000), entry("c", 2000), entry("d", 5)]
    board = progress.standing(ranked, "d", "Dee", 5)
    assert [(p.place, p.entry.code) for p in board.top] == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]
    assert (board.opted_in, board.name, board.place) == (True, "Dee", 4)


def test_a_viewer_who_did_not_opt_in_sees_the_top_and_has_no_place():
    ranked = [entry(f"c{n}", 100 - n) for n in range(12)]
    board = progress.standing(ranked, "zz", None, 50)
    assert len(board.top) == stats_page.BOARD_SHOWN
    assert (board.opted_in, board.place) == (False, None)


def test_an_opted_in_viewer_without_a_rank_or_beyond_the_part_read_has_no_place():
    ranked = [entry("a", 10)]
    unranked = progress.standing(ranked, "me", "Me", None)  # no friend has accepted yet
    assert (unranked.place, unranked.ranked) == (None, False)
    below = progress.standing(ranked, "me", "Me", 3)  # not among what was read
    assert (below.place, below.ranked) == (None, True)
