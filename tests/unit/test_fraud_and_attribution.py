from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from passaparola.domain import attribution, fraud
from passaparola.domain.campaign import CampaignRules
from passaparola.domain.money import Money

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CAMPAIGN = CampaignRules.model_validate(
    {
        "slug": "shop",
        "brand": "b",
        "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"},
        "min_purchase": {"amount": 20, "currency": "EUR"},
        "attribution_days": 30,
    }
)
CLEAN = fraud.ConversionFacts(
    now=NOW,
    order=Money(amount=Decimal(30), currency="EUR"),
    campaign=CAMPAIGN,
    code_active=True,
    buyer="buyer",
    buyer_disposable=False,
    referrer="referrer",
    via="claim",
    claimed_at=NOW - timedelta(days=1),
    first_conversion_at=None,
)


def test_a_clean_conversion_breaks_no_rule():
    assert fraud.first_broken(CLEAN) is None


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"campaign": CAMPAIGN.model_copy(update={"status": "paused"})}, "campaign_inactive"),
        ({"code_active": False}, "code_inactive"),
        ({"buyer": "referrer"}, "self_referral"),
        ({"buyer_disposable": True}, "disposable_email"),
        ({"order": Money(amount=Decimal(30), currency="USD")}, "currency_mismatch"),
        ({"order": Money(amount=Decimal("19.99"), currency="EUR")}, "below_minimum"),
        ({"claimed_at": NOW - timedelta(days=31)}, "attribution_expired"),
        ({"first_conversion_at": NOW - timedelta(days=3)}, "repeat_customer"),
    ],
)
def test_each_rule_names_itself(change, rule):
    broken = fraud.first_broken(replace(CLEAN, **change))
    assert broken is not None and broken.id == rule
    assert broken.explanation == fraud.BY_ID[rule].explanation


def test_an_explicit_code_is_not_subject_to_the_claim_window():
    assert fraud.first_broken(replace(CLEAN, via="code", claimed_at=NOW - timedelta(days=400))) is None


def test_every_rule_is_explained():
    assert all(rule.explanation for rule in fraud.RULES)
    assert len(fraud.BY_ID) == len(fraud.RULES)


def test_the_order_code_comes_first_then_the_earliest_claim():
    claims = [
        attribution.Claim("a", "AA-BCDFGHJKM", NOW - timedelta(days=1)),
        attribution.Claim("b", "BB-BCDFGHJKM", NOW - timedelta(days=5)),
    ]
    found = attribution.candidates("cc-bcdfghjkm", claims)
    assert [(c.code, c.via) for c in found] == [
        ("CC-BCDFGHJKM", "code"),
        ("BB-BCDFGHJKM", "claim"),
        ("AA-BCDFGHJKM", "claim"),
    ]


def test_a_malformed_order_code_falls_back_to_claims():
    claims = [attribution.Claim("a", "AA-BCDFGHJKM", NOW)]
    assert [c.code for c in attribution.candidates("not a code", claims)] == ["AA-BCDFGHJKM"]
    assert attribution.candidates(None, []) == []


def test_a_code_also_claimed_keeps_its_claim_time():
    claims = [attribution.Claim("a", "AA-BCDFGHJKM", NOW - timedelta(days=2))]
    (only,) = attribution.candidates("AA-BCDFGHJKM", claims)
    assert only.via == "code" and only.claimed_at == NOW - timedelta(days=2)
