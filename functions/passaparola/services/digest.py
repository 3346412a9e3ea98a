"""The daily digest: each admin of a brand is emailed, once a day, what its programme did the
day before (UTC) and what waits for them, read from the counters and the `waiting` index,
never from the clicks or orders themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from passaparola import site_paths
from passaparola.domain.campaign import BrandContact, ConsoleAdmin, Rules
from passaparola.domain.emails import PersonKeys
from passaparola.mail import catalogue
from passaparola.services import Clock, Links
from passaparola.services.mail import Mail
from passaparola.services.ports import CounterStore, DigestLog, WaitingStore

# The digest's own "campaign" for unsubscribing: an admin who stops it still gets everything else.
DIGEST = "digest"
_PAGE = 100


@dataclass(frozen=True)
class DailyDigest:
    rules: Rules
    counters: CounterStore
    waiting: WaitingStore
    log: DigestLog
    mail: Mail
    links: Links
    person_keys: PersonKeys
    clock: Clock

    def send(self) -> int:
        """Email each admin yesterday's digest, unless nothing happened and nothing waits, or
        they had it already; how many were sent."""
        now = self.clock()
        day = (now - timedelta(days=1)).date()
        sent = 0
        for slug, brand in self.rules.brands.items():
            if not brand.admins:
                continue
            figures = self.figures(slug, day)
            if not any(figures.values()):
                continue
            for admin in brand.admins:
                if self.log.first(self.person_keys.of(admin.email), day, now) and self._send(
                    brand, admin, day, figures
                ):
                    sent += 1
        return sent

    def figures(self, brand: str, day: date) -> dict[str, int]:
        campaigns = [slug for slug, c in self.rules.campaigns.items() if c.rules.brand == brand]
        days = [d for slug in campaigns for d in self.counters.days(slug, day, day)]
        return {
            "referrers": sum(d.referrers for d in days),
            "claims": sum(d.claims for d in days),
            "orders": sum(d.orders for d in days),
            "to_fulfil": sum(self._waiting(campaign, "to_fulfil") for campaign in campaigns),
            "reviews": sum(self._waiting(campaign, "reviews") for campaign in campaigns),
        }

    def _waiting(self, campaign: str, what: str) -> int:
        """How many rewards to fulfil, or orders to review, a campaign has: page by page."""
        total: int = 0
        after: Mapping[str, str] | None = None
        while True:
            if what == "reviews":
                reviews = self.waiting.reviews(campaign, _PAGE, after)
                total, after = total + len(reviews.items), reviews.next_position
            else:
                rewards = self.waiting.rewards_to_fulfil(campaign, _PAGE, after)
                total, after = total + len(rewards.items), rewards.next_position
            if after is None:
                return total

    def _send(self, brand: BrandContact, admin: ConsoleAdmin, day: date, figures: dict[str, int]) -> bool:
        lang = admin.lang
        email = catalogue.daily_digest(
            to=admin.email,
            lang=lang,
            letterhead=self.mail.letterhead(brand),
            day=day,
            figures=figures,
            console_url=self.links.site_url.rstrip("/") + site_paths.admin(lang),
            unsubscribe=self.mail.unsubscribe(self.person_keys.of(admin.email), DIGEST, lang),
        )
        return self.mail.send(email)
