"""The ask after a purchase, as pure rules: which campaign asks, whom, when, in which language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from passaparola.domain import asking
from passaparola.domain.campaign import Ask, CampaignRules, CampaignText, CompiledCampaign, Rules

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
CREDIT = {"type": "credit", "amount": 5, "currency": "EUR"}


def campaign(slug: str, langs: tuple[str, ...] = ("en",), **rules: Any) -> CompiledCampaign:
    base = {
        "slug": slug,
        "brand": "acme",
        "referrer_reward": {"type": "credit", "amount": 5, "currency": "EUR"},
    }
    text = CampaignText(title=slug, friend_offer=None, referrer_offer="5 €")
    return CompiledCampaign(
        rules=CampaignRules.model_validate(base | rules),
        default_lang=langs[0],
        texts=dict.fromkeys(langs, text),
    )


def rules(*campaigns: CompiledCampaign) -> Rules:
    return Rules(campaigns={c.rules.slug: c for c in campaigns}, brands={})


def test_a_referred_order_asks_in_its_own_campaign_or_not_at_all():
    both = rules(campaign("autumn", starts="2020-01-01"), campaign("spring"))
    assert asking.asking_campaign(both, "spring", NOW).rules.slug == "spring"  # type: ignore[union-attr]
    quiet = rules(campaign("autumn", starts="2020-01-01"), campaign("spring", emails={"purchase_ask": False}))
    assert asking.asking_campaign(quiet, "spring", NOW) is None  # not another campaign instead


def test_an_unreferred_order_asks_in_the_earliest_running_campaign_that_asks_then_by_slug():
    found = rules(
        campaign("zeta"),  # no `starts`: as if it always ran, so first
        campaign("alpha"),
        campaign("early", starts="2021-01-01"),
        campaign("earliest", starts="2020-01-01", emails={"purchase_ask": False}),  # does not ask
        campaign("over", starts="2019-01-01", ends="2019-12-31"),  # ended
        campaign("resting", status="paused"),
        campaign("later", starts=(NOW + timedelta(days=1)).date().isoformat()),  # not started
    )
    assert asking.candidates(found, NOW) == ["alpha", "zeta", "early"]
    assert asking.asking_campaign(found, None, NOW).rules.slug == "alpha"  # type: ignore[union-attr]
    dated = rules(campaign("early", starts="2021-01-01"), campaign("earliest", starts="2020-06-01"))
    assert asking.asking_campaign(dated, None, NOW).rules.slug == "earliest"  # type: ignore[union-attr]
    assert asking.asking_campaign(rules(campaign("resting", status="paused")), None, NOW) is None


@pytest.mark.parametrize(
    ("only_promoters", "satisfaction", "asked"),
    [
        (False, None, True),
        (False, 0, True),
        (True, None, False),  # no score: nobody said they would recommend the shop
        (True, 8, False),  # a passive
        (True, 9, True),
        (True, 10, True),
    ],
)
def test_only_promoters_asks_a_nine_or_a_ten_and_nobody_without_a_score(only_promoters, satisfaction, asked):
    assert asking.wants(Ask(only_promoters=only_promoters), satisfaction) is asked


def test_the_ask_goes_the_configured_days_after_the_order_three_by_default():
    assert asking.ask_at(NOW, Ask()) == NOW + timedelta(days=3)
    assert asking.ask_at(NOW, Ask(after_days=0)) == NOW
    assert asking.ask_at(NOW, Ask(after_days=28)) == NOW + timedelta(days=28)


@pytest.mark.parametrize("after_days", [-1, 29, "soon"])
def test_the_ask_waits_at_most_28_days_while_the_order_is_still_kept(after_days):
    with pytest.raises(ValidationError, match="after_days"):
        CampaignRules.model_validate(
            {
                "slug": "spring",
                "brand": "acme",
                "referrer_reward": CREDIT,
                "ask": {"after_days": after_days},
            }
        )


@pytest.mark.parametrize(
    ("locale", "known", "lang"),
    [
        ("pl", None, "pl"),
        ("pl-PL", None, "pl"),
        ("PL_pl", None, "pl"),
        ("de-DE", None, "en"),  # a language the campaign is not written in: its own
        ("de-DE", "pl", "pl"),  # ...unless the buyer claimed its offer in one it has
        (None, "pl", "pl"),
        ("auto", "pl", "pl"),  # Stripe's "auto" is no language
        (None, None, "en"),
    ],
)
def test_the_ask_is_in_the_orders_language_else_the_buyers_else_the_campaigns(locale, known, lang):
    assert asking.language_in(campaign("spring", ("en", "pl")), locale, known) == lang


def test_a_campaign_without_an_ask_block_asks_three_days_on_every_buyer():
    rules = campaign("spring").rules
    assert (rules.ask.after_days, rules.ask.only_promoters, rules.emails.purchase_ask) == (3, False, True)


def test_before_attribution_an_order_looks_up_only_the_campaigns_its_codes_name_and_the_first():
    found = rules(campaign("alpha"), campaign("spring"), campaign("quiet", emails={"purchase_ask": False}))
    carried = ["SPRING-BCDFGHJKM", "QUIET-BCDFGHJKM", "SPRING-4XKM-9QTB-H7Q", "NOPE-BCDFGHJKM"]
    assert asking.foreseen(found, carried, NOW) == ["spring", "alpha"]
    assert asking.foreseen(found, [], NOW) == ["alpha"]
