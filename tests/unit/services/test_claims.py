"""Claims on fakes: the coupon shown once, repeats and existing customers answered alike, and
a cap or a code that changes between the check and the write."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passaparola.domain.errors import CodeNotValid, RejectedEmail, SelfReferral
from passaparola.domain.records import Owner, RewardMessage
from tests.fakes import person_key
from tests.unit.services.conftest import World

pytestmark = pytest.mark.unit


def subjects(world: World, address: str) -> list[str]:
    return [email.subject for email in world.mailer.to(address)]


def test_a_claim_issues_the_friends_coupon_at_once_and_shows_it_only_then(world):
    code = world.enrol("anna@example.com", campaign="instant")
    claimed = world.claim(code, "marco@example.com")
    assert claimed.created
    gift = claimed.friend_reward
    assert gift is not None and (gift.status, gift.value, gift.currency) == ("issued", 12, "EUR")
    assert gift.coupon_code is not None and gift.coupon_code.startswith("INSTANT-")
    again = world.claim(code, "Marco@Example.com")
    assert (again.created, again.claim_id, again.campaign) == (False, claimed.claim_id, "instant")
    assert again.friend_reward is not None and again.friend_reward.coupon_code is None
    assert len(subjects(world, "marco@example.com")) == 1  # emailed again at most once an hour
    world.pass_time(hours=1, seconds=1)
    world.claim(code, "marco@example.com")
    assert len(subjects(world, "marco@example.com")) == 2


def test_a_claim_records_the_friend_and_the_code_that_referred_them(world):
    code = world.enrol("anna@example.com")
    claimed = world.claim(code, "marco@example.com")
    claim = world.memory.claims[(person_key("marco@example.com"), "gift")]
    assert (claim.claim_id, claim.code, claim.email, claim.signals) == (
        claimed.claim_id,
        code,
        "marco@example.com",
        (),
    )


def test_a_claim_from_the_referrers_own_network_that_day_is_noted_in_shadow(world):
    code = world.enrol("anna@example.com")
    world.claim(code, "marco@example.com", client="203.0.113.7")  # where Anna enrolled from
    (claim,) = world.memory.claims.values()
    assert (claim.signals, claim.shadow) == (("same_client",), ("same_client",))


def test_claiming_ones_own_code_is_refused(world):
    code = world.enrol("anna.rossi@gmail.com")
    with pytest.raises(SelfReferral):
        world.claim(code, "AnnaRossi+x@gmail.com")
    assert world.memory.claims == {}


def test_a_tag_on_the_referrers_own_domain_is_still_the_referrer(world):
    code = world.enrol("ref@your-own-domain.example")
    with pytest.raises(SelfReferral):
        world.claim(code, "Ref+x@your-own-domain.example")
    assert world.memory.claims == {}
    # Dots are no tag: on a domain that reads them, a.nna@ is someone else, kept as given.
    world.claim(code, "r.ef@your-own-domain.example")
    (claim,) = world.memory.claims.values()
    assert claim.email == "r.ef@your-own-domain.example"


def test_a_throwaway_address_is_refused(world):
    code = world.enrol("anna@example.com")
    with pytest.raises(RejectedEmail) as refused:
        world.claim(code, "marco@mailinator.com")
    assert refused.value.code == "disposable_email"


def test_an_existing_customer_is_answered_as_a_repeat_and_told_once_an_hour(world):
    world.convert("1", "marco@example.com")  # Marco bought before anyone referred him
    code = world.enrol("anna@example.com")
    for _ in range(3):
        refused = world.claim(code, "marco@example.com")
        assert not refused.created
        assert refused.friend_reward is not None and refused.friend_reward.coupon_code is None
    assert world.memory.claims == {}
    assert len(subjects(world, "marco@example.com")) == 1
    world.pass_time(hours=1, seconds=1)
    world.claim(code, "marco@example.com")
    assert len(subjects(world, "marco@example.com")) == 2


def test_the_cap_filling_between_the_check_and_the_write_refuses_the_claim(world):
    code = world.enrol("anna@example.com", campaign="signup")  # one rewarded claim at most
    world.memory.before("claims.create", lambda: world.claim(code, "bea@example.com"))
    with pytest.raises(CodeNotValid) as refused:
        world.claim(code, "marco@example.com")
    assert refused.value.reason == "cap_reached"
    assert [reward.role for reward in world.rewards_of(code).values()] == ["referrer"]
    assert world.memory.referrers[code].qualified == 1


def test_a_code_deactivated_between_the_check_and_the_write_refuses_the_claim(world):
    code = world.enrol("anna@example.com")

    def deactivate() -> None:
        world.memory.referrers[code] = replace(world.memory.referrers[code], active=False)

    world.memory.before("claims.create", deactivate)
    with pytest.raises(CodeNotValid) as refused:
        world.claim(code, "marco@example.com")
    assert refused.value.reason == "inactive"
    assert world.memory.claims == {}


def test_a_claim_whose_email_fails_is_kept_and_its_reward_left_to_the_worker(world):
    code = world.enrol("anna@example.com", campaign="instant")
    world.mailer.down = True
    claimed = world.claim(code, "marco@example.com")
    assert claimed.created
    friend = Owner.friend(person_key("marco@example.com"))
    rewards = [message for message in world.queue.sent if isinstance(message, RewardMessage)]
    assert rewards == [RewardMessage(friend, "friend-instant", "pending")]
    world.mailer.down = False
    world.work()
    assert len(subjects(world, "marco@example.com")) == 1
