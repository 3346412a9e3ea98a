"""The campaign rules the click path needs, in the compact form the build writes beside the
rules file (rules.clicks.json): by code prefix, each campaign's slug, its landing pages'
languages (the default first), its A/B variants, and its status and dates. Plain JSON and
dataclasses, so a click never imports the campaign models (domain/campaign.py), whose
`state_at` is this module's `campaign_state`: one rule for both."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

CampaignState = Literal["active", "paused", "not_started", "ended"]
VERSION = 1


def campaign_state(status: str, starts: date | None, ends: date | None, now: datetime) -> CampaignState:
    """Campaign dates are whole days in UTC; `ends` is the last day a referral counts."""
    if status == "paused":
        return "paused"
    if starts and now < datetime.combine(starts, time.min, UTC):
        return "not_started"
    if ends and now >= datetime.combine(ends + timedelta(days=1), time.min, UTC):
        return "ended"
    return "active"


@dataclass(frozen=True)
class ClickCampaign:
    slug: str
    languages: tuple[str, ...]  # the default language first
    variants: tuple[str, ...]
    status: str
    starts: date | None
    ends: date | None

    def state_at(self, now: datetime) -> CampaignState:
        return campaign_state(self.status, self.starts, self.ends, now)

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "languages": list(self.languages),
            "variants": list(self.variants),
            "status": self.status,
            "starts": self.starts.isoformat() if self.starts else None,
            "ends": self.ends.isoformat() if self.ends else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClickCampaign:
        starts, ends = data.get("starts"), data.get("ends")
        return cls(
            slug=str(data["slug"]),
            languages=tuple(data["languages"]),
            variants=tuple(data.get("variants", ())),
            status=str(data["status"]),
            starts=date.fromisoformat(starts) if starts else None,
            ends=date.fromisoformat(ends) if ends else None,
        )


@dataclass(frozen=True)
class ClickRules:
    by_prefix: Mapping[str, ClickCampaign]

    def campaign_for_code(self, code: str) -> ClickCampaign | None:
        """The campaign a (normalised) referral code belongs to, read from its prefix."""
        return self.by_prefix.get(code.split("-", 1)[0])

    def dumps(self) -> str:
        prefixes = {prefix: c.to_json() for prefix, c in sorted(self.by_prefix.items())}
        return json.dumps({"version": VERSION, "prefixes": prefixes}, indent=1, sort_keys=True) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> ClickRules:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"click rules of version {data.get('version')!r}; this code reads {VERSION}")
        return cls({prefix: ClickCampaign.from_json(c) for prefix, c in data["prefixes"].items()})
