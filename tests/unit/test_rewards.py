from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from passaparola.domain import rewards
from passaparola.domain.campaign import CampaignRules
from passaparola.domain.money import Money

pytestmark = pytest.mark.unit

ORDER = Money(amount=Decimal("49.99"), currency="EUR")


def rules(**change):
    return CampaignRules.model_validate(
        {"slug": "shop", "brand": "b", "referrer_reward": {"type": "credit", "amount": 10, "currency": "EUR"}}
        | change
    )


def test_two_sided_fixed_rewards():
    campaign = rules(friend_reward={"type": "coupon_percent", "percent": 10}, hold_days=14)
    friend = rewards.friend_grant(campaign)
    referrer = rewards.referrer_grant_on_purchase(campaign, ORDER, 2, repeat=False)
    assert friend is not None and friend.hold_days == 0 and friend.value is None
    assert referrer is not None and (referrer.value, referrer.currency, referrer.hold_days) == (
        Decimal(10),
        "EUR",
        14,
    )


def test_a_percent_reward_is_rounded_down_to_the_currency():
    campaign = rules(referrer_reward={"type": "credit", "percent": "12.5"})
    grant = rewards.referrer_grant_on_purchase(campaign, ORDER, 2, repeat=False)
    assert grant is not None and grant.value == Decimal("6.24")  # 6.24875
    yen = rewards.referrer_grant_on_purchase(
        campaign, Money(amount=Decimal(999), currency="JPY"), 0, repeat=False
    )
    assert yen is not None and yen.value == Decimal(124) and yen.currency == "JPY"


def test_a_percent_reward_respects_its_ceiling():
    campaign = rules(referrer_reward={"type": "cash", "percent": 50, "max_amount": 20, "currency": "EUR"})
    grant = rewards.referrer_grant_on_purchase(campaign, ORDER, 2, repeat=False)
    assert grant is not None and grant.value == Decimal(20)


def test_repeat_orders_earn_only_a_revenue_share():
    assert rewards.referrer_grant_on_purchase(rules(), ORDER, 2, repeat=True) is None
    share = rules(referrer_reward={"type": "revenue_share", "percent": 10, "months": 12})
    grant = rewards.referrer_grant_on_purchase(share, ORDER, 2, repeat=True)
    assert grant is not None and grant.value == Decimal("4.99")


def test_reward_on_claim_gives_nothing_on_purchase():
    campaign = rules(reward_on="claim")
    assert rewards.referrer_grant_on_purchase(campaign, ORDER, 2, repeat=False) is None
    assert rewards.referrer_grant_on_claim(campaign) is not None
    assert rewards.referrer_grant_on_claim(rules()) is None


def test_tiers_reached_and_second_level():
    campaign = rules(
        tiers=[
            {"after": 2, "reward": {"type": "gift", "description": "mug"}},
            {"after": 5, "reward": {"type": "gift", "description": "hoodie"}},
        ],
        second_level={"reward": {"type": "credit", "percent": 5}},
    )
    assert [t.after for t in rewards.tiers_reached(campaign, 1)] == []
    assert [t.after for t in rewards.tiers_reached(campaign, 4)] == [2]
    assert [t.after for t in rewards.tiers_reached(campaign, 5)] == [2, 5]
    second = rewards.second_level_grant(campaign, ORDER, 2)
    assert second is not None and second.role == "second_level" and second.value == Decimal("2.49")


def test_revenue_share_window():
    campaign = rules(referrer_reward={"type": "revenue_share", "percent": 10, "months": 2})
    first = datetime(2026, 1, 1, tzinfo=UTC)
    assert rewards.within_revenue_share(campaign, first, first + timedelta(days=59))
    assert not rewards.within_revenue_share(campaign, first, first + timedelta(days=61))
    assert not rewards.within_revenue_share(rules(), first, first)
