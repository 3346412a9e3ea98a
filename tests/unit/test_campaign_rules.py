"""Every reward kind the product promises can be written, and incoherent rules are refused."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from passaparola.domain.campaign import CampaignRules

pytestmark = pytest.mark.unit

BASE = {
    "slug": "spring",
    "brand": "acme",
    "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"},
}

KINDS = {
    "fixed credit": {"type": "credit", "amount": 10, "currency": "EUR"},
    "percent credit": {"type": "credit", "percent": 10, "max_amount": 50, "currency": "EUR"},
    "percent discount": {"type": "coupon_percent", "percent": 10},
    "fixed discount": {"type": "coupon_fixed", "amount": 5, "currency": "EUR"},
    "cash": {"type": "cash", "amount": 20, "currency": "USD"},
    "gift card": {"type": "gift_card", "amount": 25, "currency": "GBP", "brand": "Amazon"},
    "free month": {"type": "free_period", "months": 1, "plan": "Pro"},
    "extra quota": {"type": "quota", "amount": 500, "unit": "MB", "max_total": 16000},
    "charity donation": {"type": "donation", "amount": 5, "currency": "EUR", "charity": "Save the Children"},
    "tangible gift": {"type": "gift", "description": "A hoodie"},
    "recurring share of spend": {"type": "revenue_share", "percent": 15, "months": 12},
}


@pytest.mark.parametrize("kind", KINDS, ids=list(KINDS))
def test_every_reward_kind_is_expressible(kind):
    rules = CampaignRules.model_validate(BASE | {"referrer_reward": KINDS[kind]})
    assert rules.referrer_reward.type == KINDS[kind]["type"]


def test_milestone_tiers_and_a_second_level():
    rules = CampaignRules.model_validate(
        BASE
        | {
            "tiers": [{"after": 5, "reward": KINDS["tangible gift"]}, {"after": 10, "reward": KINDS["cash"]}],
            "second_level": {"reward": {"type": "credit", "amount": 2, "currency": "EUR"}},
            "max_rewards_per_referrer": 20,
        }
    )
    assert [t.after for t in rules.tiers] == [5, 10]
    assert rules.second_level is not None


def test_amounts_stay_exact():
    rules = CampaignRules.model_validate(
        BASE | {"referrer_reward": {"type": "credit", "amount": "10.10", "currency": "EUR"}}
    )
    assert rules.referrer_reward.amount == Decimal("10.10")


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            {"referrer_reward": {"type": "credit", "amount": 10, "percent": 5, "currency": "EUR"}},
            "either amount",
        ),
        ({"referrer_reward": {"type": "credit", "amount": 10}}, "currency is required"),
        ({"referrer_reward": {"type": "credit", "amount": -1, "currency": "EUR"}}, "greater than 0"),
        ({"referrer_reward": {"type": "credit", "amount": 10, "currency": "euro"}}, "ISO 4217"),
        ({"referrer_reward": {"type": "coupon_percent", "percent": 120}}, "less than or equal to 100"),
        ({"referrer_reward": {"type": "bitcoin"}}, "does not match any of the expected tags"),
        ({"reward_on": "claim", "referrer_reward": KINDS["recurring share of spend"]}, "reward_on: purchase"),
        ({"friend_reward": KINDS["percent credit"]}, "before any order"),
        (
            {
                "tiers": [
                    {"after": 5, "reward": KINDS["tangible gift"]},
                    {"after": 3, "reward": KINDS["cash"]},
                ]
            },
            "increasing",
        ),
        ({"tiers": [{"after": 5, "reward": KINDS["percent credit"]}]}, "fixed value"),
        (
            {"tiers": [{"after": 50, "reward": KINDS["cash"]}], "max_rewards_per_referrer": 10},
            "never be reached",
        ),
        ({"starts": date(2026, 6, 1), "ends": date(2026, 5, 1)}, "ends must not be before starts"),
        ({"slug": "codes"}, "reserved"),
        ({"code_prefix": "lower"}, "capital letters"),
        ({"slug": "a"}, "give one for a short slug"),  # its codes would be "A-...", which never validate
        (
            {"referrer_reward": {"type": "credit", "percent": 10, "max_amount": 50}},
            "currency is required with max_amount",
        ),
        ({"channels": ["copy", "copy"]}, "each channel once"),
        ({"channels": ["carrier-pigeon"]}, "Input should be"),
        ({"hold_days": 1000}, "less than or equal to 365"),
        ({"referer_reward": KINDS["cash"]}, "Extra inputs are not permitted"),
    ],
)
def test_incoherent_rules_are_refused(change, complaint):
    with pytest.raises(ValidationError, match=complaint):
        CampaignRules.model_validate(BASE | change)


def test_prefix_defaults_to_the_slug():
    assert CampaignRules.model_validate(BASE | {"slug": "summer-2026"}).prefix == "SUMMER2026"
    assert CampaignRules.model_validate(BASE | {"code_prefix": "SUM"}).prefix == "SUM"


def test_campaign_dates_are_whole_utc_days():
    rules = CampaignRules.model_validate(BASE | {"starts": date(2026, 3, 1), "ends": date(2026, 6, 30)})
    assert rules.state_at(datetime(2026, 2, 28, 23, 59, tzinfo=UTC)) == "not_started"
    assert rules.state_at(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == "active"
    assert rules.state_at(datetime(2026, 6, 30, 23, 59, tzinfo=UTC)) == "active"
    assert rules.state_at(datetime(2026, 7, 1, 0, 0, tzinfo=UTC)) == "ended"
    paused = CampaignRules.model_validate(BASE | {"status": "paused"})
    assert paused.state_at(datetime(2026, 4, 1, tzinfo=UTC)) == "paused"
