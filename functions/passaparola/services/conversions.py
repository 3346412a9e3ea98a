"""POST /conversions: the store reports a paid order; decide once what it earns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from passaparola.domain import attribution, emails, fraud, money
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.money import Money
from passaparola.domain.rewards import referrer_grant_on_purchase, second_level_grant
from passaparola.services import Clock
from passaparola.services.rewards import enqueue
from passaparola.storage import keys
from passaparola.storage.claims import ClaimStore
from passaparola.storage.conversions import ConversionStore
from passaparola.storage.dynamo import Item, stamp
from passaparola.storage.queue import RewardQueue
from passaparola.storage.referrers import ReferrerStore
from passaparola.storage.rewards import pending_item

# Orders nobody referred are kept only long enough to recognise a redelivery.
UNATTRIBUTED_RETENTION = timedelta(days=30)
Status = Literal["queued", "duplicate", "rejected"]


@dataclass(frozen=True)
class Order:
    order_id: str
    email: str
    amount: Decimal
    currency: str
    code: str | None


@dataclass(frozen=True)
class Converted:
    conversion_id: str
    status: Status
    reason: str | None = None
    rewards: int = 0


def conversion_id(order_id: str) -> str:
    """Derived from the order, so every delivery of one order names the same conversion."""
    return "cv_" + hashlib.sha256(order_id.encode()).hexdigest()[:24]


def _answer_for(existing: Item) -> Converted:
    if existing.get("status") == "refunded" and "conversion_id" not in existing:
        return Converted(conversion_id(existing["order_id"]), "rejected", "refunded")
    return Converted(existing["conversion_id"], "duplicate", existing.get("reason"))


class Conversions:
    def __init__(
        self,
        rules: Rules,
        referrers: ReferrerStore,
        claims: ClaimStore,
        conversions: ConversionStore,
        queue: RewardQueue,
        clock: Clock,
    ) -> None:
        self.rules = rules
        self.referrers = referrers
        self.claims = claims
        self.conversions = conversions
        self.queue = queue
        self.clock = clock

    def convert(self, order: Order) -> Converted:
        money.check_price(order.amount, order.currency, self.rules.currency_digits)
        existing = self.conversions.get_order(order.order_id)
        if existing is not None:
            return _answer_for(existing)
        now = self.clock()
        address = emails.clean(order.email)
        buyer = emails.key(address)
        stored = self.claims.of_friend(buyer)
        claims = [
            attribution.Claim(i["campaign"], i["code"], datetime.fromisoformat(i["claimed_at"]))
            for i in stored
            if i["sk"].startswith("CLAIM#")
        ]
        first_orders = {
            i["sk"].removeprefix("CONVERTED#"): i for i in stored if i["sk"].startswith("CONVERTED#")
        }
        base = {
            "order_id": order.order_id,
            "conversion_id": conversion_id(order.order_id),
            "amount": order.amount,
            "currency": order.currency,
            "created_at": stamp(now),
        }
        found = self._attribute(order.code, claims)
        if found is None:
            return self._unrewarded(
                keys.order(order.order_id)
                | base
                | {"expires_at": int((now + UNATTRIBUTED_RETENTION).timestamp())},
                "unattributed",
            )
        candidate, referrer, campaign = found
        slug = campaign.rules.slug
        base |= {"campaign": slug, "code": candidate.code, "via": candidate.via}
        first_order = first_orders.get(slug)
        facts = fraud.ConversionFacts(
            now=now,
            order=Money(amount=order.amount, currency=order.currency),
            campaign=campaign.rules,
            code_active=referrer.get("status") == "active",
            buyer=buyer,
            buyer_disposable=emails.is_disposable(address),
            referrer=referrer["email_key"],
            via=candidate.via,
            claimed_at=candidate.claimed_at,
            first_conversion_at=datetime.fromisoformat(first_order["at"]) if first_order else None,
        )
        broken = fraud.first_broken(facts)
        if broken is not None:
            return self._unrewarded(keys.order(order.order_id) | base, broken.id)
        return self._record(order, base, facts, referrer, campaign, first=first_order is None)

    def _attribute(
        self, explicit: str | None, claims: list[attribution.Claim]
    ) -> tuple[attribution.Candidate, Item, CompiledCampaign] | None:
        for candidate in attribution.candidates(explicit, claims):
            referrer = self.referrers.get(candidate.code)
            campaign = self.rules.campaign(referrer["campaign"]) if referrer else None
            if referrer is not None and campaign is not None:
                return candidate, referrer, campaign
        return None

    def _unrewarded(self, order_item: Item, reason: str) -> Converted:
        outcome, existing = self.conversions.record_unrewarded(
            order_item | {"status": "rejected", "reason": reason}
        )
        if outcome == "duplicate" and existing is not None:
            return _answer_for(existing)
        return Converted(order_item["conversion_id"], "rejected", reason)

    def _record(
        self,
        order: Order,
        base: Item,
        facts: fraud.ConversionFacts,
        referrer: Item,
        campaign: CompiledCampaign,
        *,
        first: bool,
    ) -> Converted:
        """Write the order with its rewards. Two races are settled by the table, not by us:
        another first order from the same friend, and the referrer's cap filling up."""
        capped = False
        for _ in range(3):
            rewards, takes_slot = self._rewards_for(
                order, facts, referrer, campaign, first=first, capped=capped
            )
            status: Status = "rejected" if capped else "queued"
            reason = "cap_reached" if capped else None
            references = [f"{r['pk']}|{r['reward_id']}" for r in rewards]
            order_item = (
                keys.order(order.order_id)
                | base
                | {"status": status, "reason": reason, "rewards": references}
            )
            outcome, existing = self.conversions.record(
                order_item,
                code=referrer["code"],
                first_of=(facts.buyer, campaign.rules.slug) if first else None,
                rewards=rewards,
                takes_slot=takes_slot,
                cap=campaign.rules.max_rewards_per_referrer,
            )
            if outcome == "duplicate" and existing is not None:
                return _answer_for(existing)
            if outcome == "not_first":
                facts = replace(facts, first_conversion_at=facts.now)
                repeat = fraud.first_broken(facts)
                if repeat is not None:
                    return self._unrewarded(keys.order(order.order_id) | base, repeat.id)
                first = False
            elif outcome == "cap_reached":
                capped = True
            else:
                enqueue(self.queue, rewards)
                return Converted(base["conversion_id"], status, reason, len(rewards))
        raise RuntimeError("conversion could not be recorded after 3 attempts")  # pragma: no cover

    def _rewards_for(
        self,
        order: Order,
        facts: fraud.ConversionFacts,
        referrer: Item,
        campaign: CompiledCampaign,
        *,
        first: bool,
        capped: bool,
    ) -> tuple[list[Item], bool]:
        """The reward items an order earns, and whether the referrer's reward takes a cap slot."""
        rules, slug, code = campaign.rules, campaign.rules.slug, str(referrer["code"])
        if capped:
            return [], False
        digits = self.rules.digits(order.currency)
        rewards = []
        grant = referrer_grant_on_purchase(rules, facts.order, digits, repeat=not first)
        if grant is not None:
            rewards.append(
                pending_item(
                    keys.code(code)["pk"], f"order-{order.order_id}", grant,
                    campaign=slug, code=code, now=facts.now, order_id=order.order_id, takes_slot=first,
                )
            )  # fmt: skip
        parent = self._second_level_referrer(referrer, facts.buyer) if first and rules.second_level else None
        second = second_level_grant(rules, facts.order, digits) if parent else None
        if parent and second is not None:
            rewards.append(
                pending_item(
                    keys.code(parent)["pk"], f"l2-{order.order_id}", second,
                    campaign=slug, code=str(parent), now=facts.now, order_id=order.order_id,
                )
            )  # fmt: skip
        return rewards, first and grant is not None

    def _second_level_referrer(self, referrer: Item, buyer: str) -> str | None:
        """The code that referred this referrer, if it may be rewarded for this order: not when
        it is inactive, and not when its owner is the buyer (A refers B, A buys through B)."""
        parent_code = referrer.get("parent_code")
        parent = self.referrers.get(parent_code) if parent_code else None
        if parent is None or parent.get("status") != "active" or parent.get("email_key") == buyer:
            return None
        return str(parent_code)
