"""What a referrer's stats page says of their progress: the next milestone, the cap, what
became of each friend, and their place on the campaign's leaderboard. Pure arithmetic on
what the code's one query and the board's one query return."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from passaparola.domain.campaign import CampaignRules, Tier
from passaparola.domain.records import BoardEntry, Friend, Reward
from passaparola.domain.rewards import hold_until, tiers_reached
from passaparola.domain.stats_page import BOARD_SHOWN, FRIENDS_SHOWN
from passaparola.domain.vocabulary import FriendStatus

_WAITING = ("review", "pending", "held")


@dataclass(frozen=True)
class NextTier:
    """The next milestone: how many counted referrals reach it, and its reward."""

    tier: Tier
    counted: int

    @property
    def to_go(self) -> int:
        return self.tier.after - self.counted


@dataclass(frozen=True)
class Progress:
    counted: int  # referrals whose reward was issued: what milestones count
    reached: int  # milestones reached
    tiers: int  # milestones in all
    next: NextTier | None  # None when every milestone is reached (or there are none)


@dataclass(frozen=True)
class CapState:
    limit: int
    used: int  # referrals holding a slot: rewarded, or still on hold or in review

    @property
    def reached(self) -> bool:
        return self.used >= self.limit


@dataclass(frozen=True)
class FriendShown:
    name: str | None  # first name and initial, or None: the page says "a friend"
    claimed_at: datetime
    status: FriendStatus
    release_at: datetime | None = None  # when the referrer's reward is due, while it is on hold


@dataclass(frozen=True)
class Placed:
    place: int
    entry: BoardEntry


@dataclass(frozen=True)
class Standing:
    """The leaderboard as one referrer sees it: the top, and their own place if they opted in
    (None: not opted in; or opted in but not on the board yet, or below the part read)."""

    top: tuple[Placed, ...]
    opted_in: bool
    name: str | None = None
    place: int | None = None
    ranked: bool = False  # the viewer has a rank: a friend has accepted


def progress(rules: CampaignRules | None, counted: int) -> Progress:
    """The same count the milestone rewards are granted on (services.rewards); a campaign no
    longer in the rules has no milestones left."""
    if rules is None:
        return Progress(counted, 0, 0, None)
    reached = tiers_reached(rules, counted)
    ahead = next((tier for tier in rules.tiers if tier.after > counted), None)
    return Progress(counted, len(reached), len(rules.tiers), NextTier(ahead, counted) if ahead else None)


def cap(rules: CampaignRules, used: int) -> CapState | None:
    return CapState(rules.max_rewards_per_referrer, used) if rules.max_rewards_per_referrer else None


def friend_status(rewards: Iterable[Reward]) -> tuple[FriendStatus, datetime | None]:
    """What a friend's referral came to, from the referrer's rewards that name the friend: a
    reward issued counts first, then one still waiting (and when it is due), then a voided one."""
    found = list(rewards)
    if any(r.status == "issued" for r in found):
        return "rewarded", None
    waiting = [r for r in found if r.status in _WAITING]
    if waiting:
        due = [r.hold_until or hold_until(r.created_at, r.hold_days) for r in waiting if r.status != "review"]
        return "ordered", min(due) if due else None
    if found:
        return "void", None
    return "claimed", None


def friends(listed: Sequence[Friend], rewards: Sequence[Reward]) -> list[FriendShown]:
    """The newest friends first, at most FRIENDS_SHOWN, each with what their referral came to.
    Only the referrer's own reward for a referral counts (not a milestone's or a second
    level's), and a claim rewarded at once has its reward too."""
    by_friend: dict[str, list[Reward]] = {}
    for reward in rewards:
        if reward.role == "referrer" and reward.friend:
            by_friend.setdefault(reward.friend, []).append(reward)
    newest = sorted(listed, key=lambda f: f.claimed_at, reverse=True)[:FRIENDS_SHOWN]
    shown = []
    for friend in newest:
        status, release = friend_status(by_friend.get(friend.friend, ()))
        shown.append(FriendShown(friend.name, friend.claimed_at, status, release))
    return shown


def standing(ranked: Sequence[BoardEntry], code: str, name: str | None, own_rank: int | None) -> Standing:
    """`ranked` is the board read from the top down, highest first. A place is one more than
    the codes ranked strictly higher: ties share a place."""
    top = tuple(Placed(_place(ranked, entry.rank), entry) for entry in ranked[:BOARD_SHOWN])
    if name is None:
        return Standing(top, opted_in=False, ranked=own_rank is not None)
    on_board = own_rank is not None and any(entry.code == code for entry in ranked)
    place = _place(ranked, own_rank) if on_board and own_rank is not None else None
    return Standing(top, opted_in=True, name=name, place=place, ranked=own_rank is not None)


def _place(ranked: Sequence[BoardEntry], rank: int) -> int:
    return 1 + sum(1 for entry in ranked if entry.rank > rank)
