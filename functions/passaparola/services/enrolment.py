"""A customer becomes a referrer: one code per person per campaign, and a welcome email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from passaparola.domain import clients, codes, emails
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.emails import PersonKeys
from passaparola.domain.errors import CampaignClosed, UnknownCampaign
from passaparola.domain.lifecycle import nudge_at
from passaparola.domain.people import display_name
from passaparola.domain.records import Notice, Referrer
from passaparola.domain.tokens import StatsTokens
from passaparola.mail import catalogue
from passaparola.services import Clock, Links
from passaparola.services.mail import Mail
from passaparola.services.ports import ClaimStore, NoticeStore, ReferrerStore

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


@dataclass(frozen=True)
class Enrolment:
    rules: Rules
    referrers: ReferrerStore
    claims: ClaimStore
    notices: NoticeStore
    mail: Mail
    tokens: StatsTokens
    links: Links
    person_keys: PersonKeys
    client_salt: bytes
    clock: Clock

    def enrol(
        self, campaign_slug: str, email: str, name: str | None, locale: str | None, client: str
    ) -> Enrolled:
        campaign = open_campaign(self.rules, campaign_slug, self.clock)
        address = emails.clean(email)
        emails.refuse_disposable(address)
        email_key = self.person_keys.of(address)
        shown_name = display_name(name)
        lang = locale if locale in campaign.texts else campaign.default_lang
        now = self.clock()
        # A friend who was referred and now refers others links the two levels of referral.
        earlier_claim = self.claims.get(email_key, campaign_slug) if campaign.rules.second_level else None
        # For the same_client check: a claim from here today is likely the referrer's own.
        enrol_client = clients.client_of_day(self.client_salt, client, now.date())
        referrer, created = self.referrers.enrol(
            lambda: Referrer(
                code=codes.new_code(campaign.rules.prefix),
                campaign=campaign_slug,
                email=address,
                email_key=email_key,
                lang=lang,
                created_at=now,
                display_name=shown_name,
                parent_code=earlier_claim.code if earlier_claim else None,
                enrol_client=enrol_client,
            )
        )
        if created and campaign.rules.emails.referrer_nudge:
            self._nudge_later(referrer, campaign)
        if self.referrers.note_welcome(referrer.code, now, now - RESEND_AFTER):
            self._welcome(referrer, campaign, now)
        return Enrolled(code=referrer.code, share_url=self.links.share(referrer.code), created=created)

    def _nudge_later(self, referrer: Referrer, campaign: CompiledCampaign) -> None:
        """One nudge, some days on, sent only if nobody has opened the link by then."""
        notice = Notice(
            "referrer_nudge",
            referrer.campaign,
            referrer.code,
            nudge_at(referrer.created_at, campaign.rules),
        )
        try:
            self.notices.schedule(notice)
        except Exception:
            # A nudge is a nicety; the enrolment stands without it.
            logger.exception("could not schedule the nudge", extra={"code": referrer.code})

    def _welcome(self, referrer: Referrer, campaign: CompiledCampaign, now: datetime) -> None:
        email = catalogue.welcome(
            to=referrer.email,
            lang=referrer.lang,
            name=referrer.display_name,
            campaign=campaign,
            letterhead=self.mail.letterhead(self.rules.brands[campaign.rules.brand]),
            share_url=self.links.share(referrer.code),
            stats_url=self.links.stats(referrer.lang, self.tokens.issue(referrer.code, now)),
        )
        try:
            self.mail.send(email)
        except Exception:
            # The page already shows the link; a lost welcome must not undo the enrolment.
            logger.exception("welcome email failed", extra={"code": referrer.code})
