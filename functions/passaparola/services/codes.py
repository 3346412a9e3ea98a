"""GET /codes/{code}: is a code usable, whose is it, and what does the friend get."""

from __future__ import annotations

from dataclasses import dataclass

from passaparola.domain import codes
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.errors import CodeNotValid
from passaparola.domain.records import Referrer
from passaparola.domain.vocabulary import InvalidCodeReason
from passaparola.services import Clock
from passaparola.services.ports import ReferrerStore

REASONS: dict[InvalidCodeReason, str] = {
    "unknown": "this referral code does not exist",
    "expired": "this campaign has ended",
    "inactive": "this referral code or its campaign is not active",
    "cap_reached": "this referrer has reached the campaign's limit of rewarded referrals",
}


@dataclass(frozen=True)
class ValidCode:
    campaign: CompiledCampaign
    referrer: Referrer

    @property
    def code(self) -> str:
        return self.referrer.code


def invalid(reason: InvalidCodeReason) -> CodeNotValid:
    return CodeNotValid(reason, REASONS[reason])


@dataclass(frozen=True)
class CodeValidator:
    rules: Rules
    referrers: ReferrerStore
    clock: Clock

    def check(self, raw_code: str) -> ValidCode:
        """One read at most: a code that cannot exist is refused before touching the table."""
        code = codes.normalise(raw_code)
        campaign = self.rules.campaign_for_code(code) if code else None
        if code is None or campaign is None:
            raise invalid("unknown")
        referrer = self.referrers.get(code)
        if referrer is None or referrer.campaign != campaign.rules.slug:
            raise invalid("unknown")
        state = campaign.rules.state_at(self.clock())
        if state == "ended":
            raise invalid("expired")
        if state != "active" or not referrer.active:
            raise invalid("inactive")
        cap = campaign.rules.max_rewards_per_referrer
        if cap is not None and referrer.qualified >= cap:
            raise invalid("cap_reached")
        return ValidCode(campaign, referrer)
