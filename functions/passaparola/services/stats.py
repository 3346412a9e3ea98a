"""GET /referrers/me: a referrer's own numbers, behind the token from their email."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.domain.campaign import Rules
from passaparola.domain.errors import InvalidToken
from passaparola.domain.tokens import StatsTokens
from passaparola.services import Clock, Links
from passaparola.services.click_counts import ClickCounter
from passaparola.services.ports import ReferrerStore
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


@dataclass(frozen=True)
class Stats:
    rules: Rules
    referrers: ReferrerStore
    clicks: ClickCounter
    tokens: StatsTokens
    links: Links
    clock: Clock

    def for_token(self, token: str, lang: str | None) -> ReferrerStats:
        link = self.tokens.verify(token, self.clock())
        code = link.code
        referrer, rewards = self.referrers.code_and_rewards(code)
        if referrer is None:
            raise InvalidToken("this stats link belongs to a referral code that no longer exists")
        if link.revoked_by(referrer.links_valid_from):
            raise InvalidToken("a newer stats link has replaced this one; open the latest email we sent you")
        campaign = self.rules.campaign(referrer.campaign)
        language = lang if campaign and lang in campaign.texts else referrer.lang
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
                for r in sorted(rewards, key=lambda r: r.created_at, reverse=True)
            ],
        )
