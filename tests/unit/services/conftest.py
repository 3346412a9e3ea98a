"""The services built by wiring.py's own factories, on in-memory fakes instead of AWS.

Campaigns (a few of tests/fixtures/content's, written as compiled rules):
- gift: 10 EUR credit for the referrer, 10% coupon for the friend, minimum 20 EUR, hold 14
  days, at most 3 rewarded referrals, a mug after 2, 2 EUR for the referrer's referrer.
- instant: a free month for the referrer and a 12 EUR coupon for the friend, no hold.
- capped: 5 EUR cash, no hold, at most 1 rewarded referral.
- signup: the referrer is rewarded when a friend claims, at most 1 time.
- swap: a 15 EUR coupon for the referrer and a 10% coupon for the friend, no hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.campaign import BrandContact, CampaignRules, CampaignText, CompiledCampaign, Rules
from passaparola.domain.money import Money
from passaparola.domain.orders import Identifiers, PaidOrder
from passaparola.domain.records import NoticeMessage, RewardMessage
from passaparola.services.claims import Claimed, Claims
from passaparola.services.conversions import Conversions, Converted
from passaparola.services.enrolment import Enrolment
from passaparola.services.lifecycle import Lifecycle
from passaparola.services.mail import Unsubscribes
from passaparola.services.ports import RewardIssuer, ShopCoupons
from passaparola.services.refunds import Refunds
from passaparola.services.reviews import Reviews
from passaparola.services.rewards import ReleaseSchedule, RewardLifecycle
from tests import fakes
from tests.support import Clock

# The referrer enrols from here; their friends claim from elsewhere, unless a test says not.
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
CAMPAIGNS: dict[str, dict[str, Any]] = {
    "gift": {
        "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"},
        "friend_reward": {"type": "coupon_percent", "percent": 10},
        "min_purchase": {"amount": 20, "currency": "EUR"},
        "hold_days": 14,
        "max_rewards_per_referrer": 3,
        "tiers": [{"after": 2, "reward": {"type": "gift", "description": "A mug"}}],
        "second_level": {"reward": {"type": "credit", "amount": 2, "currency": "EUR"}},
    },
    "instant": {
        "referrer_reward": {"type": "free_period", "months": 1},
        "friend_reward": {"type": "coupon_fixed", "amount": 12, "currency": "EUR"},
        "hold_days": 0,
    },
    "capped": {
        "referrer_reward": {"type": "cash", "amount": 5, "currency": "EUR"},
        "hold_days": 0,
        "max_rewards_per_referrer": 1,
    },
    "swap": {
        "referrer_reward": {"type": "coupon_fixed", "amount": 15, "currency": "EUR"},
        "friend_reward": {"type": "coupon_percent", "percent": 10},
        "hold_days": 0,
    },
    "signup": {
        "referrer_reward": {"type": "quota", "amount": 100, "unit": "MB"},
        "reward_on": "claim",
        "hold_days": 0,
        "max_rewards_per_referrer": 1,
    },
}


def compiled(slug: str, rules: dict[str, Any]) -> CompiledCampaign:
    campaign = CampaignRules.model_validate({"slug": slug, "brand": "acme"} | rules)
    offer = "a gift" if campaign.friend_reward else None
    text = CampaignText(title=f"The {slug} campaign", friend_offer=offer, referrer_offer="a reward")
    return CompiledCampaign(rules=campaign, default_lang="en", texts={"en": text, "it": text})


RULES = Rules(
    campaigns={slug: compiled(slug, rules) for slug, rules in CAMPAIGNS.items()},
    brands={"acme": BrandContact(name="Acme", store_url="https://acme.test", contact="hi@acme.test")},
    currency_digits={"EUR": 2, "USD": 2},
)


@dataclass
class World:
    """One in-memory table, queue and outbox, and every service over them."""

    adapters: fakes.Adapters
    memory: fakes.Memory
    clock: Clock
    queue: fakes.Queue
    mailer: fakes.Mailer
    unsubscribes: Unsubscribes
    lifecycle: RewardLifecycle
    notices: Lifecycle
    enrolment: Enrolment
    claims: Claims
    conversions: Conversions
    refunds: Refunds
    reviews: Reviews
    schedule: ReleaseSchedule

    @property
    def ledger(self) -> fakes.Ledger:
        return fakes.Ledger(self.memory)

    def enrol(self, email: str, campaign: str = "gift") -> str:
        return self.enrolment.enrol(campaign, email, "Anna", "en", HOME).code

    def claim(self, code: str, email: str, client: str = ELSEWHERE) -> Claimed:
        return self.claims.claim(code, email, "en", None, client)

    def convert(
        self,
        order_id: str,
        email: str,
        amount: str = "49.90",
        code: str | Sequence[str] | None = None,
        **signals: Any,
    ) -> Converted:
        price = Money(amount=Decimal(amount), currency="EUR")
        codes = (code,) if isinstance(code, str) else tuple(code or ())
        return self.conversions.convert(PaidOrder(order_id, price, Identifiers(email, **signals), codes))

    def work(self) -> None:
        """The reward worker: every queued message, and what it queues in turn."""
        while messages := self.queue.take():
            for message in messages:
                if isinstance(message, NoticeMessage):
                    self.notices.send(message.notice_id)
                else:
                    self.lifecycle.advance(message.ref)

    def sweep(self) -> int:
        """The release schedule, then the worker on what it queued."""
        released = self.schedule.release_due(100)
        self.work()
        return released

    def rewards_of(self, code: str) -> dict[str, Any]:
        """A referrer's rewards, by id."""
        return {
            ref.reward_id: reward
            for ref, reward in self.memory.rewards.items()
            if ref.owner.kind == "referrer" and ref.owner.id == code
        }

    def pass_time(self, **delta: float) -> None:
        self.clock.advance(**delta)


@pytest.fixture
def world() -> World:
    return make_world()


def make_world(
    shop: ShopCoupons | None = None,
    issuers: Mapping[str, RewardIssuer] | None = None,
    rules: Rules = RULES,
) -> World:
    """The services as production builds them (wiring's `build_*`), on in-memory adapters."""
    clock = Clock()
    adapters = fakes.Adapters(rules, clock, shop=shop, issuers=issuers)
    mail = wiring.build_mail(adapters)
    lifecycle = wiring.build_reward_lifecycle(adapters, mail)
    return World(
        adapters=adapters,
        memory=adapters.memory,
        clock=clock,
        queue=adapters.queue,
        mailer=adapters.outbox,
        unsubscribes=wiring.build_unsubscribes(adapters),
        lifecycle=lifecycle,
        notices=wiring.build_lifecycle(adapters, mail, wiring.build_click_counter(adapters)),
        enrolment=wiring.build_enrolment(adapters, mail),
        claims=wiring.build_claims(adapters, wiring.build_code_validator(adapters), lifecycle),
        conversions=wiring.build_conversions(adapters),
        refunds=wiring.build_refunds(adapters),
        reviews=wiring.build_reviews(adapters),
        schedule=wiring.build_release_schedule(adapters),
    )


def messages_for(*rewards: Any) -> list[RewardMessage]:
    return [RewardMessage.for_reward(reward) for reward in rewards]
