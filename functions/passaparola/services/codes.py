"""GET /codes/{code}: is a code usable, whose is it, and what does the friend get."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.domain import codes
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.errors import CodeNotValid
from passaparola.services import Clock
from passaparola.storage.dynamo import Item
from passaparola.storage.referrers import ReferrerStore

REASONS = {
    "unknown": "this referral code does not exist",
    "expired": "this campaign has ended",
    "inactive": "this referral code or its campaign is not active",
    "cap_reached": "this referrer has reached the campaign's limit of rewarded referrals",
}


@dataclass(frozen=True)
class ValidCode:
    code: str
    campaign: CompiledCampaign
    item: Item

    @property
    def display_name(self) -> str | None:
        name = self.item.get("display_name")
        return str(name) if name else None


def invalid(reason: str) -> CodeNotValid:
    return CodeNotValid(reason, REASONS[reason])


class CodeValidator:
    def __init__(self, rules: Rules, referrers: ReferrerStore, clock: Clock) -> None:
        self.rules = rules
        self.referrers = referrers
        self.clock = clock

    def check(self, raw_code: str) -> ValidCode:
        """One read at most: a code that cannot exist is refused before touching the table."""
        code = codes.normalise(raw_code)
        campaign = self.rules.campaign_for_code(code) if code else None
        if code is None or campaign is None:
            raise invalid("unknown")
        item = self.referrers.get(code)
        if item is None or item.get("campaign") != campaign.rules.slug:
            raise invalid("unknown")
        state = campaign.rules.state_at(self.clock())
        if state == "ended":
            raise invalid("expired")
        if state != "active" or item.get("status") != "active":
            raise invalid("inactive")
        cap = campaign.rules.max_rewards_per_referrer
        if cap is not None and int(item.get("qualified", 0)) >= cap:
            raise invalid("cap_reached")
        return ValidCode(code, campaign, item)
