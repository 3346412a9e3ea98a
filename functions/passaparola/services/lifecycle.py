"""The lifecycle's emails, each once: what a referrer hears as their referrals go on (a friend
claimed, a friend ordered, the cap is reached), the nudge of a referrer whose link nobody has
opened, the reminder of a friend's unused coupon, and the invitation to join sent to a buyer
some days after their order.

Each is a notice written once with the event that causes it (the claim, the order, the
enrolment) and sent by the reward worker when its time comes: at once through the queue, or
later through the release schedule's `due` index. Sending takes the notice under a lease and
closes it with what became of it, so a message delivered twice mails once. Whether it is
still wanted is decided when it goes: the campaign's switch (`emails:`), an unsubscribe, a
click or an order that came since, an enrolment or a refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from aws_lambda_powertools import Logger

from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.lifecycle import coupon_last_day
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.records import Notice, Owner, Referrer, RewardRef
from passaparola.domain.rewards import hold_until
from passaparola.domain.tokens import StatsTokens
from passaparola.domain.vocabulary import COUPON_KINDS, NoticeOutcome
from passaparola.mail import catalogue
from passaparola.mail.layout import Letterhead
from passaparola.services import Clock, Links
from passaparola.services.click_counts import ClickCounter
from passaparola.services.mail import Mail
from passaparola.services.ports import ClaimStore, NoticeStore, OrderStore, ReferrerStore, RewardLedger

logger = Logger(child=True)


class _ToReferrer(TypedDict):
    """What every email to a referrer is given."""

    to: str
    lang: str
    name: str | None
    campaign: CompiledCampaign
    letterhead: Letterhead
    stats_url: str
    unsubscribe: Unsubscribe


@dataclass(frozen=True)
class Lifecycle:
    rules: Rules
    notices: NoticeStore
    referrers: ReferrerStore
    clicks: ClickCounter
    claims: ClaimStore
    ledger: RewardLedger
    orders: OrderStore
    mail: Mail
    tokens: StatsTokens
    links: Links
    clock: Clock

    def send(self, notice_id: str) -> NoticeOutcome | None:
        """What became of the notice, or None when it is not this run's to send: unknown,
        done already, not due yet, or being sent by another run."""
        notice = self.notices.get(notice_id)
        now = self.clock()
        if notice is None or notice.sent_at is not None or notice.send_at > now:
            return None
        if not self.notices.take(notice_id, now):
            return None
        try:
            outcome = self._deliver(notice, now)
        except Exception:
            self.notices.give_back(notice_id)  # so the retry need not wait out the lease
            raise
        self.notices.close(notice_id, now, outcome)
        logger.info("lifecycle email", extra={"kind": notice.kind, "outcome": outcome})
        return outcome

    def _deliver(self, notice: Notice, now: datetime) -> NoticeOutcome:
        campaign = self.rules.campaign(notice.campaign)
        if campaign is None or not campaign.rules.emails.on(notice.kind):
            return "switched_off"
        if notice.kind == "coupon_reminder":
            email = self._coupon_reminder(notice, campaign)
        elif notice.kind == "purchase_ask":
            email = self._ask(notice, campaign, now)
        else:
            referrer = self.referrers.get(notice.code) if notice.code else None
            email = self._to_referrer(notice, campaign, referrer, now) if referrer else None
        if email is None:
            return "not_needed"
        return "sent" if self.mail.send(email) else "unsubscribed"

    def _to_referrer(
        self, notice: Notice, campaign: CompiledCampaign, referrer: Referrer, now: datetime
    ) -> Email | None:
        lang = referrer.lang or campaign.default_lang
        slug = campaign.rules.slug
        common: _ToReferrer = {
            "to": referrer.email,
            "lang": lang,
            "name": referrer.display_name,
            "campaign": campaign,
            "letterhead": self.mail.letterhead(self.rules.brands[campaign.rules.brand]),
            "stats_url": self.links.stats(lang, self.tokens.issue(referrer.code, now)),
            "unsubscribe": self.mail.unsubscribe(referrer.email_key, slug, lang),
        }
        match notice.kind:
            case "friend_claimed":
                return catalogue.friend_claimed(**common)
            case "order_attributed":
                reward = self.ledger.get(RewardRef(Owner.referrer(referrer.code), notice.reward_id or ""))
                if reward is None or reward.status in ("void", "clawed_back") or reward.issued_at:
                    return None  # refunded already, or issued: the reward's own email says it
                released = reward.hold_until or hold_until(reward.created_at, reward.hold_days)
                return catalogue.order_attributed(reward=reward, released_on=released.date(), **common)
            case "cap_reached":
                cap = campaign.rules.max_rewards_per_referrer
                return catalogue.cap_reached(cap=cap, **common) if cap else None
            case "referrer_nudge":
                if not referrer.active or campaign.rules.state_at(now) != "active":
                    return None
                if self.clicks.ever(referrer.code, referrer.folded_clicks):
                    return None
                return catalogue.referrer_nudge(share_url=self.links.share(referrer.code), **common)
        return None  # pragma: no cover - every kind to a referrer is above

    def _coupon_reminder(self, notice: Notice, campaign: CompiledCampaign) -> Email | None:
        """Only while the coupon is unused: no first order from the friend in the campaign."""
        if notice.friend is None or notice.reward_id is None:
            return None
        claim = self.claims.get(notice.friend, campaign.rules.slug)
        if claim is None or self.claims.first_order(notice.friend, campaign.rules.slug) is not None:
            return None
        reward = self.ledger.get(RewardRef(Owner.friend(notice.friend), notice.reward_id))
        if reward is None or reward.status != "issued" or reward.kind not in COUPON_KINDS:
            return None
        lang = claim.lang or campaign.default_lang
        return catalogue.coupon_reminder(
            to=claim.email,
            lang=lang,
            campaign=campaign,
            letterhead=self.mail.letterhead(self.rules.brands[campaign.rules.brand]),
            reward=reward,
            use_by=coupon_last_day(claim.claimed_at, campaign.rules),
            unsubscribe=self.mail.unsubscribe(notice.friend, campaign.rules.slug, lang),
        )

    def _ask(self, notice: Notice, campaign: CompiledCampaign, now: datetime) -> Email | None:
        """Only to a buyer who has not joined meanwhile, for an order that still stands, while
        the campaign runs."""
        slug = campaign.rules.slug
        if notice.email is None or notice.buyer is None or notice.order_id is None:
            return None
        if campaign.rules.state_at(now) != "active" or self.referrers.enrolled(slug, notice.buyer):
            return None
        order = self.orders.get(notice.order_id)
        if order is None or order.refunded_at is not None or order.status == "refunded":
            return None
        lang = notice.lang if notice.lang in campaign.texts else campaign.default_lang
        return catalogue.purchase_ask(
            to=notice.email,
            lang=lang,
            campaign=campaign,
            letterhead=self.mail.letterhead(self.rules.brands[campaign.rules.brand]),
            join_url=self.links.join(slug, lang, notice.email),
            unsubscribe=self.mail.unsubscribe(notice.buyer, slug, lang),
        )
