"""GET /referrers/me: a referrer's own numbers, behind the token from their email; and
PUT /referrers/me/leaderboard: whether they are on their campaign's leaderboard, and as whom.

A stats view reads the code's partition in one query (the code, its rewards and its friends),
its clicks (services.click_counts), and one query of the campaign's board."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola import i18n
from passaparola.domain import people, progress, stats_page
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.errors import InvalidInput, InvalidToken
from passaparola.domain.progress import CapState, FriendShown, Progress, Standing
from passaparola.domain.records import Referrer
from passaparola.domain.tokens import StatsLink, StatsTokens
from passaparola.services import Clock, Links
from passaparola.services.click_counts import ClickCounter
from passaparola.services.ports import BoardStore, ReferrerStore
from passaparola.services.rewards import ShownReward, shown


@dataclass(frozen=True)
class ReferrerStats:
    code: str
    campaign: str
    lang: str
    share_url: str
    clicks: int
    claims: int
    conversions: int
    rewards: list[ShownReward]  # newest first
    progress: Progress
    next_reward: str | None  # the next milestone's reward, in words (as its email says it)
    cap: CapState | None
    friends: list[FriendShown]  # newest first, at most stats_page.FRIENDS_SHOWN
    friends_total: int
    board: Standing


@dataclass(frozen=True)
class Stats:
    rules: Rules
    referrers: ReferrerStore
    board: BoardStore
    clicks: ClickCounter
    tokens: StatsTokens
    links: Links
    clock: Clock

    def for_token(self, token: str, lang: str | None) -> ReferrerStats:
        link = self.tokens.verify(token, self.clock())
        code = link.code
        found = self.referrers.partition(code)
        referrer = _valid(link, found.referrer)
        campaign = self.rules.campaign(referrer.campaign)
        language = lang if campaign and lang in campaign.texts else referrer.lang
        reached = progress.progress(campaign.rules if campaign else None, referrer.rewarded)
        return ReferrerStats(
            code=code,
            campaign=referrer.campaign,
            lang=language,
            share_url=self.links.share(code),
            clicks=self.clicks.clicks(code, referrer.folded_clicks),
            claims=referrer.claims,
            conversions=referrer.orders,
            rewards=[
                shown(r, language, self.rules)
                for r in sorted(found.rewards, key=lambda r: r.created_at, reverse=True)
            ],
            progress=reached,
            next_reward=_next_reward(campaign, reached, language),
            cap=progress.cap(campaign.rules, referrer.qualified) if campaign else None,
            friends=progress.friends(found.friends, found.rewards),
            friends_total=len(found.friends),
            board=self._standing(referrer, referrer.board_name),
        )

    def set_board(self, token: str, opt_in: bool, display_name: str | None) -> Standing:
        """On the campaign's leaderboard under the name given (or the first name and initial
        the referrer enrolled with), or off it. Nobody is on it who has not asked to be."""
        link = self.tokens.verify(token, self.clock())
        code = link.code
        referrer = _valid(link, self.referrers.get(code))
        if not opt_in:
            self.board.leave(code)
            return self._standing(referrer, None)
        name = people.display_name(display_name, people.MAX_BOARD_NAME) or people.short_name(
            referrer.display_name
        )
        if name is None:
            raise InvalidInput("give a display_name to show on the leaderboard: you enrolled without a name")
        if not self.board.join(code, referrer.campaign, name):
            raise InvalidToken("this stats link belongs to a referral code that no longer exists")
        return self._standing(referrer, name)

    def _standing(self, referrer: Referrer, name: str | None) -> Standing:
        """One query of the board: its top; for a referrer on it, deep enough to find their
        place too (the top BOARD_DEPTH: about 9 read units at most)."""
        on_it = name is not None and referrer.rank is not None
        depth = stats_page.BOARD_DEPTH if on_it else stats_page.BOARD_SHOWN
        return progress.standing(
            self.board.ranked(referrer.campaign, limit=depth), referrer.code, name, referrer.rank
        )


def _valid(link: StatsLink, referrer: Referrer | None) -> Referrer:
    if referrer is None:
        raise InvalidToken("this stats link belongs to a referral code that no longer exists")
    if link.revoked_by(referrer.links_valid_from):
        raise InvalidToken("a newer stats link has replaced this one; open the latest email we sent you")
    return referrer


def _next_reward(campaign: CompiledCampaign | None, reached: Progress, lang: str) -> str | None:
    if campaign is None or reached.next is None:
        return None
    own = campaign.text(lang).own_words
    return i18n.describe(reached.next.tier.reward, lang, words=own)
