"""GET /referrers/me: a referrer's own numbers, behind the token from their email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passaparola.domain.campaign import Rules
from passaparola.domain.errors import InvalidToken
from passaparola.domain.tokens import StatsTokens
from passaparola.services import Clock, Links
from passaparola.services.rewards import view
from passaparola.storage.referrers import ReferrerStore


@dataclass(frozen=True)
class ReferrerStats:
    code: str
    campaign: str
    lang: str
    share_url: str
    clicks: int
    claims: int
    conversions: int
    rewards: list[dict[str, Any]]


class Stats:
    def __init__(
        self, rules: Rules, referrers: ReferrerStore, tokens: StatsTokens, links: Links, clock: Clock
    ) -> None:
        self.rules = rules
        self.referrers = referrers
        self.tokens = tokens
        self.links = links
        self.clock = clock

    def for_token(self, token: str, lang: str | None) -> ReferrerStats:
        link = self.tokens.verify(token, self.clock())
        code = link.code
        item, rewards = self.referrers.code_and_rewards(code)
        if item is None:
            raise InvalidToken("this stats link belongs to a referral code that no longer exists")
        valid_from = item.get("links_valid_from")
        if link.revoked_by(int(valid_from) if valid_from is not None else None):
            raise InvalidToken("a newer stats link has replaced this one; open the latest email we sent you")
        campaign = self.rules.campaign(item["campaign"])
        shown = lang if campaign and lang in campaign.texts else item.get("lang", "en")
        return ReferrerStats(
            code=code,
            campaign=item["campaign"],
            lang=shown,
            share_url=self.links.share(code),
            clicks=int(item.get("clicks", 0)),
            claims=int(item.get("claims", 0)),
            conversions=int(item.get("conversions", 0)),
            rewards=[view(r, shown) for r in sorted(rewards, key=lambda r: r["created_at"], reverse=True)],
        )
