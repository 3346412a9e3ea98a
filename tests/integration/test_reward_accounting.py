"""A referrer's rewards add up whatever happens around them: refunds before a milestone,
and their own order bought through a friend's link. (A refund racing the worker, and an email
that fails after issuing, are service tests on fakes: tests/unit/services.)"""

import pytest

from tests.support import items_under

pytestmark = pytest.mark.integration


def rewards_of(client, code):
    return {r["reward_id"]: r for r in items_under(client.stack, f"CODE#{code}", "REWARD#")}


def test_milestones_count_only_referrals_that_survived_their_refund_window(client, clock):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]  # tier after 2, hold 14 days
    for n in range(2):
        client.claim(code, f"friend{n}@example.com")
        client.convert(f"o{n}", f"friend{n}@example.com")
    client.run_worker()
    client.signed("/refunds", {"order_id": "o1"})
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    assert "tier-2" not in rewards_of(client, code)  # one referral stood, not two
    client.claim(code, "friend2@example.com")
    client.convert("o2", "friend2@example.com")
    client.run_worker()
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    found = rewards_of(client, code)
    assert found["tier-2"]["status"] == "issued"
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    assert item["rewarded"] == 2


def test_a_referrer_earns_no_second_level_reward_on_their_own_order(client):
    anna = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(anna, "bob@example.com")
    bob = client.enrol("bob@example.com", campaign="gift").body["code"]
    answer = client.convert("77", "anna@example.com", code=bob)  # Anna buys through Bob's link
    assert answer.body["status"] == "queued"
    assert answer.body["rewards"] == 1  # Bob's referrer reward only
    assert rewards_of(client, anna) == {}
