"""GET /r/{code}: count the click (people only, once a day each) and send them on.

A counted click is one conditional write of a visit and nothing else: no read, so the code is
not looked up. A code that cannot be one of a running campaign (malformed, an unknown prefix,
a campaign over) lands with ref_status=invalid; any other lands with ?ref=CODE, and the
landing page asks GET /codes/{code} whether it is valid. The campaign's counters, rolled up
from the table's stream, count a visit only for a code that exists and is active; the code's
own clicks are counted from its visits when read (services/click_counts.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Literal

from passaparola import site_paths
from passaparola.domain import codes, visits
from passaparola.domain.click_rules import ClickRules
from passaparola.domain.records import Visit
from passaparola.services import Clock, Links
from passaparola.services.limits import InstanceRateLimiter
from passaparola.services.ports import ClickStore

ClickOutcome = Literal["counted", "repeat", "lost", "invalid", "bot"]


@dataclass(frozen=True)
class Redirect:
    location: str
    outcome: ClickOutcome


@dataclass(frozen=True)
class ClickRecorder:
    rules: ClickRules
    store: ClickStore
    limiter: InstanceRateLimiter
    salt: bytes
    links: Links
    clock: Clock

    def click(self, raw_code: str, headers: Mapping[str, str], source_ip: str) -> Redirect:
        """Where to send the visitor. The destination comes from the campaign's configuration
        only; nothing in the request can point it elsewhere."""
        code = codes.normalise(raw_code)
        campaign = self.rules.campaign_for_code(code) if code else None
        if code is None or campaign is None:
            return Redirect(self.links.page(site_paths.home(), ref_status="invalid"), "invalid")
        lang = visits.negotiate(headers.get("accept-language", ""), campaign.languages)
        landing = site_paths.landing(campaign.slug, lang)
        now = self.clock()
        if campaign.state_at(now) != "active":
            return Redirect(self.links.page(landing, ref=code, ref_status="invalid"), "invalid")
        if visits.is_bot(headers):
            return Redirect(self.links.page(landing, ref=code), "bot")
        # Only a click that would be written counts against its client (RateLimited: a 429).
        self.limiter.hit(source_ip)
        day = now.astimezone(UTC).date()
        visitor = visits.visitor_id(self.salt, source_ip, headers.get("user-agent", ""), day)
        variant = visits.variant_for(visitor, campaign.variants)
        visit = Visit(code, campaign.slug, day, visitor, now, variant)
        outcome = self.store.record(visit)
        query = {"ref": code} | ({"v": variant} if variant else {})
        return Redirect(self.links.page(landing, **query), outcome)
