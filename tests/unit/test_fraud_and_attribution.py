from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from passaparola.domain import attribution, fraud
from passaparola.domain.campaign import CampaignRules, FraudModes, RevenueShare
from passaparola.domain.money import Money
from passaparola.domain.records import Claim

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
SHARE = RevenueShare(type="revenue_share", percent=15, months=12)
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
    assert fraud.assess(CLEAN) == fraud.Verdict(None)


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
        ({"customer_since": NOW - timedelta(days=90)}, "existing_customer"),
        ({"shared_address": True}, "shared_address"),
        ({"shared_payment": True}, "shared_payment"),
        (
            {
                "same_client": True,
                "campaign": CAMPAIGN.model_copy(update={"fraud": FraudModes(same_client="enforce")}),
            },
            "same_client",
        ),
    ],
)
def test_each_rule_names_itself(change, rule):
    broken = fraud.assess(replace(CLEAN, **change)).check
    assert broken is not None and broken.id == rule
    assert broken.explanation == fraud.BY_ID[rule].explanation


def test_an_explicit_code_is_not_subject_to_the_claim_window():
    assert fraud.assess(replace(CLEAN, via="code", claimed_at=NOW - timedelta(days=400))).check is None


def test_a_friends_coupon_at_checkout_is_not_subject_to_the_claim_window_either():
    assert fraud.assess(replace(CLEAN, via="coupon", claimed_at=NOW - timedelta(days=400))).check is None


def test_every_rule_is_explained():
    assert all(check.explanation for check in fraud.CHECKS)
    assert len(fraud.BY_ID) == len(fraud.CHECKS)


def claimed(campaign, code, at, friend="friend"):
    return Claim(friend, campaign, "cl_1", code, f"{friend}@example.com", "en", claimed_at=at)


def test_the_order_code_comes_first_then_the_earliest_claim():
    claims = [
        claimed("a", "AA-BCDFGHJKM", NOW - timedelta(days=1)),
        claimed("b", "BB-BCDFGHJKM", NOW - timedelta(days=5)),
    ]
    found = attribution.candidates(attribution.reported(["cc-bcdfghjkm"]).referral_codes, [], claims)
    assert [(c.code, c.via) for c in found] == [
        ("CC-BCDFGHJKM", "code"),
        ("BB-BCDFGHJKM", "claim"),
        ("AA-BCDFGHJKM", "claim"),
    ]


def test_referral_codes_come_before_coupons_then_the_buyers_claims_each_in_their_order():
    coupon_claims = [
        claimed("c", "CC-BCDFGHJKM", NOW - timedelta(days=2), friend="bea"),
        claimed("d", "DD-BCDFGHJKM", NOW - timedelta(days=9), friend="carl"),
    ]
    own = [claimed("a", "AA-BCDFGHJKM", NOW - timedelta(days=1))]
    found = attribution.candidates(("FF-BCDFGHJKM", "EE-BCDFGHJKM"), coupon_claims, own)
    assert [(c.code, c.via, c.friend) for c in found] == [
        ("FF-BCDFGHJKM", "code", None),
        ("EE-BCDFGHJKM", "code", None),
        ("CC-BCDFGHJKM", "coupon", "bea"),
        ("DD-BCDFGHJKM", "coupon", "carl"),
        ("AA-BCDFGHJKM", "claim", None),
    ]
    assert found[2].claimed_at == NOW - timedelta(days=2)  # the coupon's claim began the referral


def test_an_order_s_codes_are_sorted_into_referral_codes_and_coupons_and_the_shop_s_own_are_dropped():
    carried = ["SUMMER10", "spring-4xkm-9qtb-h7q", " SPRING-7KQMX2R9P "]
    carried += ["SPRING-4XKM-9QTB-H7Q", "AA-BCDFGHJKM"]
    assert attribution.reported(carried) == attribution.Reported(
        referral_codes=("SPRING-7KQMX2R9P", "AA-BCDFGHJKM"), coupons=("SPRING-4XKM-9QTB-H7Q",)
    )
    assert attribution.reported([]) == attribution.Reported()


def test_a_malformed_order_code_falls_back_to_claims():
    claims = [claimed("a", "AA-BCDFGHJKM", NOW)]
    reported = attribution.reported(["not a code"])
    assert [c.code for c in attribution.candidates(reported.referral_codes, [], claims)] == ["AA-BCDFGHJKM"]
    assert attribution.candidates((), [], []) == []


def test_a_code_also_claimed_keeps_its_claim_time():
    claims = [claimed("a", "AA-BCDFGHJKM", NOW - timedelta(days=2))]
    (only,) = attribution.candidates(("AA-BCDFGHJKM",), [], claims)
    assert only.via == "code" and only.claimed_at == NOW - timedelta(days=2)


def with_modes(**modes):
    return CAMPAIGN.model_copy(update={"fraud": FraudModes(**modes)})


def test_a_rule_that_rejects_wins_over_one_that_asks_for_review():
    verdict = fraud.assess(
        replace(CLEAN, shared_address=True, order=Money(amount=Decimal(5), currency="EUR"))
    )
    assert (verdict.rejection, verdict.review) == ("below_minimum", None)
    verdict = fraud.assess(replace(CLEAN, shared_payment=True, same_client=True))
    assert (verdict.rejection, verdict.review) == (None, "shared_payment")


def test_shadowed_rules_are_recorded_and_let_through():
    facts = replace(
        CLEAN,
        campaign=with_modes(existing_customer="shadow", shared_address="shadow"),
        customer_since=NOW - timedelta(days=90),
        shared_address=True,
        same_client=True,  # shadow by default
    )
    assert fraud.assess(facts) == fraud.Verdict(None, ("existing_customer", "shared_address", "same_client"))


def test_rules_turned_off_are_not_recorded():
    facts = replace(
        CLEAN, campaign=with_modes(self_referral="off", same_client="off"), buyer="referrer", same_client=True
    )
    assert fraud.assess(facts) == fraud.Verdict(None)


def test_the_campaigns_terms_cannot_be_shadowed():
    assert CAMPAIGN.fraud.mode("below_minimum") == "enforce"
    with pytest.raises(ValidationError):
        with_modes(below_minimum="shadow")


@pytest.mark.parametrize(
    ("change", "existing"),
    [
        # known before the claim: an existing customer
        ({"customer_since": NOW - timedelta(days=2), "claimed_at": NOW - timedelta(days=1)}, True),
        # first seen on the friend's own referred order, after the claim
        ({"customer_since": NOW - timedelta(hours=1), "claimed_at": NOW - timedelta(days=1)}, False),
        # a code at checkout and no claim: any earlier order counts
        ({"via": "code", "claimed_at": None, "customer_since": NOW - timedelta(days=400)}, True),
        # ...except the friend's own first referred order, for their repeat orders
        (
            {
                "via": "code",
                "claimed_at": None,
                "first_conversion_at": NOW - timedelta(days=3),
                "customer_since": NOW - timedelta(days=3),
            },
            False,
        ),
    ],
)
def test_an_existing_customer_is_one_known_before_the_referral_began(change, existing):
    facts = replace(CLEAN, campaign=CAMPAIGN.model_copy(update={"referrer_reward": SHARE}), **change)
    verdict = fraud.assess(facts)
    assert (verdict.rejection == "existing_customer") is existing


CLAIM = fraud.ClaimFacts(
    campaign=CAMPAIGN,
    friend="friend",
    friend_disposable=False,
    referrer="referrer",
    customer_since=None,
    same_client=False,
)


@pytest.mark.parametrize(
    ("change", "rejection"),
    [
        ({}, None),
        ({"friend": "referrer"}, "self_referral"),
        ({"friend_disposable": True}, "disposable_email"),
        ({"customer_since": NOW - timedelta(days=30)}, "existing_customer"),
        ({"friend": "referrer", "customer_since": NOW}, "self_referral"),
    ],
)
def test_a_claim_is_refused_by_the_first_enforced_rule(change, rejection):
    assert fraud.assess_claim(replace(CLAIM, **change)).rejection == rejection


def test_same_client_on_a_claim_is_judged_again_on_its_order():
    assert fraud.assess_claim(replace(CLAIM, same_client=True)) == fraud.Verdict(None, ("same_client",))
    enforced = fraud.assess_claim(
        replace(CLAIM, campaign=with_modes(same_client="enforce"), same_client=True)
    )
    assert (enforced.rejection, enforced.review) == (None, "same_client")


def test_every_configurable_rule_is_a_rule():
    assert set(FraudModes.model_fields) <= set(fraud.BY_ID)
    assert set(fraud.CLAIM_CHECKS) <= set(FraudModes.model_fields)
    assert {c.id for c in fraud.CHECKS if c.effect == "review"} == {
        "shared_address",
        "shared_payment",
        "same_client",
    }
