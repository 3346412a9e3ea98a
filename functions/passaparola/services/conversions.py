"""POST /conversions: the shop reports a paid order; decide once what it earns."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from passaparola.domain import asking, attribution, emails, fraud, money
from passaparola.domain.campaign import CompiledCampaign, Rules
from passaparola.domain.customers import PERSON, MarkerKeys
from passaparola.domain.emails import PersonKeys
from passaparola.domain.lifecycle import due
from passaparola.domain.money import Money
from passaparola.domain.orders import PaidOrder
from passaparola.domain.records import (
    Claim,
    Conversion,
    CustomerMarker,
    FirstOrder,
    FriendHistory,
    Notice,
    Order,
    Owner,
    Referrer,
    Review,
    Reward,
    Sighting,
)
from passaparola.domain.rewards import referrer_grant_on_purchase, second_level_grant
from passaparola.domain.vocabulary import ConversionStatus, Reason
from passaparola.services import Clock
from passaparola.services.ports import ClaimStore, OrderStore, ReferrerStore, RewardQueue
from passaparola.services.rewards import enqueue, send

# Orders nobody referred are kept only long enough to recognise a redelivery (and for an
# invitation to join, sent at most `Ask.after_days` later, to see whether it was refunded).
UNATTRIBUTED_RETENTION = timedelta(days=30)
# At most this many campaigns are looked up for whether the buyer was asked already, so that
# the order's first read stays one BatchGetItem (100 keys), whatever codes the order carries;
# past them the ask's own condition still keeps it to one per buyer and campaign.
_ASK_LOOK_UPS = 40
CONVERSION_ID = re.compile(r"^cv_[0-9a-f]{24}$")
_ATTEMPTS = 3


@dataclass(frozen=True)
class Converted:
    conversion_id: str
    status: ConversionStatus
    reason: Reason | None = None
    rewards: int = 0


@dataclass(frozen=True)
class _Attributed:
    """An order's referral: how it was found, whose code, which campaign's terms apply, whose
    referral it is (the buyer's, or the friend a coupon was issued to: an email key), and that
    friend's first order in the campaign, if one was counted already; and the language the
    buyer claimed this campaign's offer in, if they did."""

    candidate: attribution.Candidate
    referrer: Referrer
    campaign: CompiledCampaign
    friend: str
    first_order: FirstOrder | None
    buyer_lang: str | None = None


def conversion_id(order_id: str) -> str:
    """Derived from the order, so every delivery of one order names the same conversion."""
    return "cv_" + hashlib.sha256(order_id.encode()).hexdigest()[:24]


def _id(order: Order) -> str:
    return order.conversion_id or conversion_id(order.order_id)


def _answer_for(existing: Order) -> Converted:
    if existing.status == "refunded":  # a refund came before the order itself
        return Converted(_id(existing), "rejected", "refunded")
    return Converted(_id(existing), "duplicate", existing.reason)


@dataclass(frozen=True)
class Conversions:
    rules: Rules
    referrers: ReferrerStore
    claims: ClaimStore
    orders: OrderStore
    marker_keys: MarkerKeys
    person_keys: PersonKeys
    marker_days: int  # how long a customer is remembered after their last order
    queue: RewardQueue
    clock: Clock

    def convert(self, paid: PaidOrder) -> Converted:
        money.check_price(paid.price.amount, paid.price.currency, self.rules.currency_digits)
        now = self.clock()
        address = emails.clean(paid.buyer.email)
        buyer = self.person_keys.of(address)
        # Every paid order, referred or not, leaves its customer markers.
        markers = self.marker_keys.of(replace(paid.buyer, email=address))
        sighting = Sighting(markers, now, now + timedelta(days=self.marker_days))
        reported = attribution.reported(paid.codes)
        foreseen = asking.foreseen(self.rules, [*reported.referral_codes, *reported.coupons], now)
        existing, seen, asked = self.orders.look_up(
            paid.order_id, sighting.hashes, buyer, foreseen[:_ASK_LOOK_UPS]
        )
        if existing is not None:
            return _answer_for(existing)
        order = Order(
            order_id=paid.order_id,
            status="rejected",
            conversion_id=conversion_id(paid.order_id),
            amount=paid.price.amount,
            currency=paid.price.currency,
            created_at=now,
        )
        found = self._attribute(reported, buyer)
        ask = _ask(self.rules, paid, address, buyer, found, asked, now)
        if found is None:
            unattributed = replace(order, expires_at=now + UNATTRIBUTED_RETENTION)
            return self._unrewarded(unattributed, "unattributed", sighting, ask)
        slug = found.campaign.rules.slug
        order = replace(order, campaign=slug, code=found.referrer.code, via=found.candidate.via)
        facts = self._facts(paid.price, buyer, address, found, seen, now)
        verdict = fraud.assess(facts)
        order = replace(order, shadow=verdict.shadow)
        if verdict.rejection:
            return self._unrewarded(order, verdict.rejection, sighting, ask)
        first = found.first_order is None
        return self._record(order, facts, found, sighting, ask, review=verdict.review, first=first)

    def _facts(
        self,
        price: Money,
        buyer: str,
        address: str,
        found: _Attributed,
        seen: dict[str, CustomerMarker],
        now: datetime,
    ) -> fraud.ConversionFacts:
        """What the checks judge an attributed order on."""
        referrer_marker = self.marker_keys.email(found.referrer.email)

        def first_seen_with_referrer(kind: str) -> bool:
            return kind in seen and seen[kind].first_email == referrer_marker

        return fraud.ConversionFacts(
            now=now,
            order=price,
            campaign=found.campaign.rules,
            code_active=found.referrer.active,
            buyer=buyer,
            buyer_disposable=emails.is_disposable(address),
            referrer=found.referrer.email_key,
            via=found.candidate.via,
            claimed_at=found.candidate.claimed_at,
            first_conversion_at=found.first_order.at if found.first_order else None,
            customer_since=min((seen[kind].first_seen_at for kind in PERSON if kind in seen), default=None),
            shared_address=first_seen_with_referrer("address"),
            shared_payment=first_seen_with_referrer("payment"),
            same_client=found.candidate.same_client,
            same_mailbox=emails.same_mailbox(address, found.referrer.email),
        )

    def _attribute(self, reported: attribution.Reported, buyer: str) -> _Attributed | None:
        """The order's referral (see domain.attribution for the order they are tried in). A
        coupon's claim is found through the coupon (a read) and its friend's history (a query)."""
        histories = {buyer: self.claims.history(buyer)}
        coupon_claims: list[Claim] = []
        for coupon in reported.coupons:
            issued = self.claims.by_coupon(coupon)
            if issued is not None:
                claim, history = issued
                coupon_claims.append(claim)
                histories.setdefault(claim.friend, history)
        own = histories[buyer]
        for candidate in attribution.candidates(reported.referral_codes, coupon_claims, own.claims):
            referrer = self.referrers.get(candidate.code)
            campaign = self.rules.campaign(referrer.campaign) if referrer else None
            if referrer is not None and campaign is not None:
                friend = candidate.friend or buyer
                spoken = next((c.lang for c in own.claims if c.campaign == campaign.rules.slug), None)
                first = _first_order(histories[friend], own, campaign)
                return _Attributed(candidate, referrer, campaign, friend, first, spoken)
        return None

    def _unrewarded(self, order: Order, reason: Reason, sighting: Sighting, ask: Notice | None) -> Converted:
        outcome, existing = self.orders.record_unrewarded(
            replace(order, status="rejected", reason=reason), sighting, ask
        )
        if outcome == "duplicate" and existing is not None:
            return _answer_for(existing)
        send(self.queue, due([ask] if ask else [], sighting.at))
        return Converted(_id(order), "rejected", reason)

    def _record(
        self,
        order: Order,
        facts: fraud.ConversionFacts,
        found: _Attributed,
        sighting: Sighting,
        ask: Notice | None,
        *,
        review: Reason | None,
        first: bool,
    ) -> Converted:
        """Write the order with its rewards. Two races are settled by the table, not by us:
        another first order from the same friend, and the referrer's cap filling up. An order
        to review takes its cap slot and writes its rewards, held for the decision, unqueued."""
        capped = False
        for _ in range(_ATTEMPTS):
            held_for = None if capped else review
            status: Literal["rejected", "review", "queued"] = (
                "rejected" if capped else "review" if held_for else "queued"
            )
            reason = "cap_reached" if capped else held_for
            conversion = self._conversion(
                replace(order, status=status, reason=reason), facts, found, sighting, first
            )
            conversion = replace(conversion, ask=ask)
            outcome, existing = self.orders.record(conversion)
            if outcome == "duplicate" and existing is not None:
                return _answer_for(existing)
            if outcome == "not_first":
                facts = replace(facts, first_conversion_at=facts.now)
                verdict = fraud.assess(facts)
                order = replace(order, shadow=verdict.shadow)
                if verdict.rejection:
                    return self._unrewarded(order, verdict.rejection, sighting, ask)
                review = verdict.review
                first = False
            elif outcome == "cap_reached":
                capped = True
            else:
                if status == "queued":
                    enqueue(self.queue, conversion.rewards)
                send(self.queue, due([*conversion.notices, *([ask] if ask else [])], facts.now))
                return Converted(_id(order), status, reason, len(conversion.rewards))
        raise RuntimeError(f"conversion could not be recorded after {_ATTEMPTS} attempts")  # pragma: no cover

    def _conversion(
        self, order: Order, facts: fraud.ConversionFacts, found: _Attributed, sighting: Sighting, first: bool
    ) -> Conversion:
        """The order as it is to be recorded (its status and reason decided), with what it
        writes: rewards held for the review when it has one, none when the cap stopped it."""
        campaign = found.campaign.rules
        rewards, takes_slot = self._rewards_for(
            order,
            facts,
            found.referrer,
            found.campaign,
            friend=found.friend,
            first=first,
            capped=order.reason == "cap_reached",
            review=order.status == "review",
        )
        order = replace(order, rewards=tuple(reward.ref for reward in rewards))
        notices = _notices(order, found, rewards, takes_slot=takes_slot, now=facts.now)
        review = None
        if order.status == "review" and order.reason is not None:
            review = Review(_id(order), order.order_id, campaign.slug, order.reason, order.rewards, facts.now)
        return Conversion(
            order,
            sighting,
            tuple(rewards),
            first=FirstOrder(
                found.friend,
                campaign.slug,
                order.order_id,
                facts.now,
                found.referrer.code,
                claimed_at=found.candidate.claimed_at,
                variant=found.candidate.variant,
            )
            if first
            else None,
            takes_slot=takes_slot,
            cap=campaign.max_rewards_per_referrer,
            review=review,
            notices=tuple(notices),
        )

    def _rewards_for(
        self,
        order: Order,
        facts: fraud.ConversionFacts,
        referrer: Referrer,
        campaign: CompiledCampaign,
        *,
        friend: str,
        first: bool,
        capped: bool,
        review: bool,
    ) -> tuple[list[Reward], bool]:
        """The rewards an order earns, and whether the referrer's reward takes a cap slot. The
        referrer's names the friend it came from (by key), for their stats page's list."""
        rules, slug, code = campaign.rules, campaign.rules.slug, referrer.code
        if capped:
            return [], False
        digits = self.rules.digits(facts.order.currency)
        rewards = []
        grant = referrer_grant_on_purchase(rules, facts.order, digits, repeat=not first)
        if grant is not None:
            rewards.append(
                grant.entry(
                    Owner.referrer(code), f"order-{order.order_id}",
                    campaign=slug, code=code, now=facts.now, order_id=order.order_id, takes_slot=first,
                    review=review, friend=friend,
                )
            )  # fmt: skip
        parent = self._second_level_referrer(referrer, facts.buyer) if first and rules.second_level else None
        second = second_level_grant(rules, facts.order, digits) if parent else None
        if parent and second is not None:
            rewards.append(
                second.entry(
                    Owner.referrer(parent), f"l2-{order.order_id}",
                    campaign=slug, code=parent, now=facts.now, order_id=order.order_id, review=review,
                )
            )  # fmt: skip
        return rewards, first and grant is not None

    def _second_level_referrer(self, referrer: Referrer, buyer: str) -> str | None:
        """The code that referred this referrer, if it may be rewarded for this order: not when
        it is inactive, and not when its owner is the buyer (A refers B, A buys through B)."""
        parent = self.referrers.get(referrer.parent_code) if referrer.parent_code else None
        if parent is None or not parent.active or parent.email_key == buyer:
            return None
        return parent.code


def _notices(
    order: Order, found: _Attributed, rewards: list[Reward], *, takes_slot: bool, now: datetime
) -> list[Notice]:
    """The emails an order schedules (each written with it, sent once): the referrer told of a
    first order and the day its reward comes (when it has a hold: without one, the reward's
    own email comes at once); and the last slot of their cap."""
    rules, code = found.campaign.rules, found.referrer.code
    notices = []
    earned = next((r for r in rewards if r.role == "referrer" and r.owner.id == code), None)
    told = rules.emails.order_attributed and takes_slot and order.status == "queued" and rules.hold_days
    if earned is not None and told:
        notice = Notice("order_attributed", rules.slug, code, now, order_id=order.order_id)
        notices.append(replace(notice, reward_id=earned.reward_id))
    cap = rules.max_rewards_per_referrer
    if takes_slot and cap is not None and found.referrer.qualified + 1 >= cap and rules.emails.cap_reached:
        notices.append(Notice("cap_reached", rules.slug, code, now))
    return notices


def _ask(
    rules: Rules,
    paid: PaidOrder,
    address: str,
    buyer: str,
    found: _Attributed | None,
    asked: frozenset[str],
    now: datetime,
) -> Notice | None:
    """The invitation to join an order brings (domain.asking): in one campaign, to a buyer not
    enrolled in it nor asked there before, with a real address (not a disposable one, which
    could not enrol), and, where the campaign wants only promoters, who said they would
    recommend the shop; in the order's language, else the one they claimed the offer in. It
    goes `after_days` later, if the order still stands by then."""
    campaign = asking.asking_campaign(rules, found.campaign.rules.slug if found else None, now)
    if campaign is None or campaign.rules.slug in asked or emails.is_disposable(address):
        return None
    ask = campaign.rules.ask
    if not asking.wants(ask, paid.satisfaction):
        return None
    return Notice(
        "purchase_ask",
        campaign.rules.slug,
        found.referrer.code if found else None,
        asking.ask_at(now, ask),
        order_id=paid.order_id,
        buyer=buyer,
        email=address,
        lang=asking.language_in(campaign, paid.locale, found.buyer_lang if found else None),
    )


def _first_order(
    friend: FriendHistory, buyer: FriendHistory, campaign: CompiledCampaign
) -> FirstOrder | None:
    """The referral's first order in the campaign: the friend's, or, when a friend's coupon
    brought someone else's order, the buyer's own (one person, two addresses, counts once)."""
    slug = campaign.rules.slug
    return friend.first_orders.get(slug) or buyer.first_orders.get(slug)
