"""The referrer's reward issued on the platform that can, on fakes: once however often the
platform fails or its answer is lost, told truthfully by email, and left to the business only
where no platform can."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from passaparola.domain.campaign import Payouts, Shop
from passaparola.domain.records import IssuedKind, Receipt, Reward
from passaparola.domain.shop import Grant, ShopUnavailable
from tests.unit.services.conftest import RULES, World, make_world

pytestmark = pytest.mark.unit


@dataclass
class Platform:
    """A platform without an idempotency key (as Shopify's store credit): each call makes what it
    is asked, and what an earlier call made is found by its owner and amount. It fails the next
    `down` calls; with `cannot`, it has no account for the person."""

    name: str
    kind: IssuedKind = "store_credit"
    down: int = 0
    cannot: bool = False
    made: list[tuple[str, Grant]] = field(default_factory=list)
    calls: int = 0

    def issue(self, grant: Grant) -> Receipt | None:
        self.calls += 1
        if self.down:
            self.down -= 1
            raise ShopUnavailable(f"{self.name} answered 500")
        if self.cannot:
            return None
        self.made.append((f"{self.name}-{len(self.made) + 1}", grant))
        return Receipt(self.name, self.kind, self.made[-1][0])

    def found(self, grant: Grant) -> list[Receipt]:
        return [
            Receipt(self.name, self.kind, made)
            for made, earlier in self.made
            if (earlier.email, earlier.amount, earlier.currency)
            == (grant.email, grant.amount, grant.currency)
        ]


def world_with(*platforms: Platform) -> World:
    brand = RULES.brands["acme"].model_copy(
        update={
            "shop": Shop(platform="stripe"),
            "payouts": Payouts(provider="tremendous", campaign="ABCD1234EFGH"),
        }
    )
    rules = RULES.model_copy(update={"brands": {"acme": brand}})
    return make_world(issuers={p.name: p for p in platforms}, rules=rules)


@pytest.fixture
def shop() -> Platform:
    return Platform("stripe", kind="customer_balance")


def earn(world: World, campaign: str = "gift", *, issue: bool = True) -> str:
    """A friend's order earns Anna her reward; past its hold, it is issued (unless not `issue`:
    then it is due)."""
    code = world.enrol("anna@example.com", campaign=campaign)
    world.claim(code, "marco@example.com")
    world.convert("1001", "marco@example.com")
    if campaign == "gift":
        world.work()
        world.pass_time(days=15)  # the hold
    if issue:
        world.sweep()
    return code


def referrer_rewards(world: World, code: str) -> list[Reward]:
    return [r for r in world.rewards_of(code).values() if r.role == "referrer"]


def test_the_referrers_credit_is_issued_in_the_shop_and_the_email_says_it_is_there(shop):
    world = world_with(shop)
    code = earn(world)
    (reward,) = referrer_rewards(world, code)
    ((made, grant),) = shop.made
    assert reward.status == "issued"
    assert reward.issued_on == Receipt("stripe", "customer_balance", made)
    assert (grant.email, grant.amount, grant.currency, grant.kind) == (
        "anna@example.com",
        10,
        "EUR",
        "credit",
    )
    (email,) = [m for m in world.mailer.to("anna@example.com") if "reward" in m.subject.lower()]
    assert "already on your Acme account" in email.text
    assert "is adding" not in email.text


def test_a_platform_failing_three_times_then_recovering_issues_once(shop):
    world = world_with(shop)
    shop.down = 3
    code = earn(world, issue=False)
    for _ in range(3):  # the queue's retries
        with pytest.raises(ShopUnavailable):
            world.sweep()
        (reward,) = referrer_rewards(world, code)
        assert reward.status == "held"
    world.sweep()
    (reward,) = referrer_rewards(world, code)
    assert reward.status == "issued" and len(shop.made) == 1 and shop.calls == 4


def test_a_crash_after_the_platforms_answer_and_before_the_ledger_knew_issues_nothing_twice(shop):
    world = world_with(shop)

    def crash() -> None:
        raise ConnectionError("the function died between the platform's answer and the table's write")

    code = earn(world, issue=False)
    world.memory.before("ledger.issue", crash)
    with pytest.raises(ConnectionError):
        world.sweep()
    (reward,) = referrer_rewards(world, code)
    assert (reward.status, len(shop.made)) == ("held", 1)
    world.pass_time(minutes=5)
    world.sweep()
    (reward,) = referrer_rewards(world, code)
    assert reward.status == "issued" and reward.issued_on is not None
    assert (len(shop.made), shop.calls) == (1, 1)  # read back, not asked again


def test_a_second_run_while_the_first_is_asking_the_platform_asks_nothing(shop):
    world = world_with(shop)
    code = earn(world, issue=False)
    (reward,) = referrer_rewards(world, code)
    second: list[Reward] = []
    world.memory.before("ledger.issue", lambda: second.append(world.lifecycle.advance(reward.ref)))
    world.sweep()
    assert second[0].status == "held"  # it found the first run's lease, and left it the work
    (reward,) = referrer_rewards(world, code)
    assert (reward.status, len(shop.made), shop.calls) == ("issued", 1, 1)


def test_two_lost_answers_of_the_same_amount_are_each_held_by_one_reward(shop):
    world = world_with(shop)

    def crash() -> None:
        raise ConnectionError("lost")

    code = world.enrol("anna@example.com")
    for n, friend in enumerate(("marco@example.com", "giulia@example.com")):
        world.claim(code, friend)
        world.convert(f"100{n}", friend)
    world.work()
    world.pass_time(days=15)
    for reward in referrer_rewards(world, code):
        world.memory.before("ledger.issue", crash)
        with pytest.raises(ConnectionError):
            world.lifecycle.advance(reward.ref)
    assert len(shop.made) == 2
    world.pass_time(minutes=5)
    world.sweep()
    rewards = referrer_rewards(world, code)
    assert {r.status for r in rewards} == {"issued"}
    assert sorted(r.issued_on.reference for r in rewards if r.issued_on) == ["stripe-1", "stripe-2"]
    assert len(shop.made) == 2


def test_a_referrer_the_platform_has_no_account_for_is_given_it_by_the_business(shop):
    shop.cannot = True
    world = world_with(shop)
    code = earn(world)
    (reward,) = referrer_rewards(world, code)
    assert (reward.status, reward.issued_on) == ("issued", None)
    (email,) = [m for m in world.mailer.to("anna@example.com") if "reward" in m.subject.lower()]
    assert "Acme is adding this credit to your account" in email.text


def test_cash_is_paid_through_the_payouts_provider_and_the_email_says_who_sends_it():
    payouts = Platform("tremendous", kind="payout")
    world = world_with(payouts)
    code = earn(world, campaign="capped")
    (reward,) = referrer_rewards(world, code)
    ((made, grant),) = payouts.made
    assert reward.issued_on == Receipt("tremendous", "payout", made)
    assert (grant.kind, grant.amount, grant.name) == ("cash", 5, "Anna")
    (email,) = [m for m in world.mailer.to("anna@example.com") if "reward" in m.subject.lower()]
    assert "Tremendous" in email.text


def test_a_free_month_the_shop_cannot_give_stays_with_the_business(shop):
    world = world_with()  # the brand's shop is Stripe, but no platform is wired
    code = earn(world, campaign="instant")
    (reward,) = referrer_rewards(world, code)
    assert (reward.status, reward.issued_on, reward.attempted_at) == ("issued", None, None)
