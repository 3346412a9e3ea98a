"""A customer becomes a referrer: one code per person per campaign, and a welcome email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from passaparola import messages
from passaparola.domain import clients, codes, emails
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.errors import CampaignClosed, UnknownCampaign
from passaparola.domain.people import display_name
from passaparola.domain.tokens import StatsTokens
from passaparola.services import Clock, Links
from passaparola.storage.claims import ClaimStore
from passaparola.storage.dynamo import stamp
from passaparola.storage.mailer import Mailer
from passaparola.storage.referrers import ReferrerStore

logger = Logger(child=True)
# Asking again with the same email re-sends the welcome with a new stats link, which revokes the
# older ones (a lost or leaked link is the common case), but not more often than this, so the
# form can neither flood someone's inbox nor keep revoking their link.
RESEND_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Enrolled:
    code: str
    share_url: str
    created: bool


def open_campaign(rules: Rules, slug: str, clock: Clock) -> CompiledCampaign:
    campaign = rules.campaign(slug)
    if campaign is None:
        raise UnknownCampaign(f"campaign {slug!r} does not exist")
    state = campaign.rules.state_at(clock())
    if state != "active":
        raise CampaignClosed(f"campaign {slug!r} is {state.replace('_', ' ')}")
    return campaign


class Enrolment:
    def __init__(
        self,
        rules: Rules,
        referrers: ReferrerStore,
        claims: ClaimStore,
        mailer: Mailer,
        tokens: StatsTokens,
        links: Links,
        client_salt: bytes,
        clock: Clock,
    ) -> None:
        self.rules = rules
        self.referrers = referrers
        self.claims = claims
        self.mailer = mailer
        self.tokens = tokens
        self.links = links
        self.client_salt = client_salt
        self.clock = clock

    def enrol(
        self, campaign_slug: str, email: str, name: str | None, locale: str | None, client: str
    ) -> Enrolled:
        campaign = open_campaign(self.rules, campaign_slug, self.clock)
        address = emails.clean(email)
        emails.refuse_disposable(address)
        email_key = emails.key(address)
        shown_name = display_name(name)
        lang = locale if locale in campaign.texts else campaign.default_lang
        now = self.clock()
        # A friend who was referred and now refers others links the two levels of referral.
        earlier_claim = self.claims.get(email_key, campaign_slug) if campaign.rules.second_level else None
        item, created = self.referrers.enrol(
            lambda: codes.new_code(campaign.rules.prefix),
            {
                "campaign": campaign_slug,
                "email": address,
                "email_key": email_key,
                "display_name": shown_name,
                "lang": lang,
                "status": "active",
                "created_at": stamp(now),
                "parent_code": earlier_claim["code"] if earlier_claim else None,
                # For the same_client rule: a claim from here today is likely the referrer's own.
                "enrol_client": clients.client_of_day(self.client_salt, client, now.date()),
            },
        )
        code = item["code"]
        if self.referrers.note_welcome(code, now, now - RESEND_AFTER):
            self._welcome(item, campaign, now)
        return Enrolled(code=code, share_url=self.links.share(code), created=created)

    def _welcome(self, item: dict[str, str], campaign: CompiledCampaign, now: datetime) -> None:
        brand = self.rules.brands[campaign.rules.brand]
        lang = item["lang"]
        email = messages.welcome(
            to=item["email"],
            lang=lang,
            name=item.get("display_name"),
            campaign=campaign,
            brand=brand,
            share_url=self.links.share(item["code"]),
            stats_url=self.links.stats(lang, self.tokens.issue(item["code"], now)),
        )
        try:
            self.mailer.send(email)
        except Exception:
            # The page already shows the link; a lost welcome must not undo the enrolment.
            logger.exception("welcome email failed", extra={"code": item["code"]})
