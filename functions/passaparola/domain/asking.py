"""The ask after a purchase: which campaign invites a buyer to join, whether this buyer is
asked, when, and in which language. Pure: the order's service reads and writes around it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from passaparola.domain.campaign import Ask, CompiledCampaign, Rules

# On the 0-10 scale of "how likely are you to recommend us" (Net Promoter Score), the answers
# that make a promoter.
PROMOTER = 9
# A BCP 47 tag as shops send them ("pl", "pl-PL", "pt_BR", "zh-Hant-TW").
LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def may_ask(campaign: CompiledCampaign, at: datetime) -> bool:
    rules = campaign.rules
    return rules.emails.purchase_ask and rules.state_at(at) == "active"


def candidates(rules: Rules, at: datetime) -> list[str]:
    """The campaigns that could ask a buyer now, in the order an unreferred order picks from."""
    asking = [c for c in rules.campaigns.values() if may_ask(c, at)]
    asking.sort(key=lambda c: (c.rules.starts or date.min, c.rules.slug))
    return [c.rules.slug for c in asking]


def foreseen(rules: Rules, codes: Iterable[str], at: datetime) -> list[str]:
    """The campaigns an order may ask in, as far as can be told before it is attributed: those
    of the codes it carries (a referral code or a coupon names its campaign by its prefix), and
    the one an order nobody referred asks in. One found through the buyer's earlier claim may be
    another: its ask's own condition still keeps it to one per buyer and campaign."""
    named = (rules.campaign_for_code(code) for code in codes)
    slugs = [c.rules.slug for c in named if c is not None and may_ask(c, at)]
    return list(dict.fromkeys([*slugs, *candidates(rules, at)[:1]]))


def asking_campaign(rules: Rules, referred: str | None, at: datetime) -> CompiledCampaign | None:
    """The one campaign that may ask after an order: a referred order's own (or none, if it does
    not ask); for an order nobody referred, the first active campaign that asks, by `starts`
    (a campaign without one first), then slug."""
    if referred is not None:
        campaign = rules.campaign(referred)
        return campaign if campaign is not None and may_ask(campaign, at) else None
    first = next(iter(candidates(rules, at)), None)
    return rules.campaign(first) if first else None


def wants(ask: Ask, satisfaction: int | None) -> bool:
    """With `only_promoters`, a buyer with no score is not asked: nobody said they would."""
    return not ask.only_promoters or (satisfaction is not None and satisfaction >= PROMOTER)


def ask_at(ordered_at: datetime, ask: Ask) -> datetime:
    return ordered_at + timedelta(days=ask.after_days)


def language(locale: str | None) -> str | None:
    """A locale's language ("pl-PL" -> "pl"), or None for none or one that is no locale."""
    if locale is None or not LOCALE.match(locale):
        return None
    return re.split(r"[-_]", locale, maxsplit=1)[0].lower()


def language_in(campaign: CompiledCampaign, locale: str | None, known: str | None = None) -> str:
    """The language of the order's locale when the campaign is written in it; else the one the
    buyer is `known` to speak (the language they claimed its offer in); else the campaign's."""
    spoken = (lang for lang in (language(locale), known) if lang is not None and lang in campaign.texts)
    return next(spoken, campaign.default_lang)
