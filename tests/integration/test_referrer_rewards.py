"""The referrer's reward issued for real, on moto and the local stand-ins of Stripe's, Shopify's,
WooCommerce's and Tremendous's APIs (over HTTP, as the worker calls them): credit in each shop,
a free month on a Stripe subscription, cash through Tremendous; once however often the platform
fails, and once when the worker dies between the platform's answer and the ledger's write; not
left in the business's list of rewards to give; told truthfully by email."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.campaign import Payouts, Rules, Shop
from passaparola.storage import aws, secret_store
from passaparola_localstack import shop_samples, shopify_fake, tremendous_fake, woocommerce_fake
from passaparola_localstack.serve import ShopFake
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.tremendous_fake import TremendousFake
from passaparola_localstack.woocommerce_fake import WooCommerceFake
from tests.shops import served
from tests.support import Client, items_under

pytestmark = pytest.mark.integration

ANNA, MARCO = "anna@example.com", "marco@example.com"


@dataclass(frozen=True)
class Case:
    """A shop, the campaign whose referrer's reward it issues, what it holds for it afterwards,
    and what the email says."""

    shop: str
    campaign: str
    kind: str
    says: str
    setup: Callable[[Any], None] = lambda fake: None


def stripe_customer(fake: StripeFake) -> None:
    fake.add_subscription(fake.add_customer(ANNA))


CASES = {
    "stripe credit": Case(
        "stripe", "promoters", "customer_balance", "comes off your next invoices", stripe_customer
    ),
    "stripe free month": Case("stripe", "instant", "coupon", "you will not be charged", stripe_customer),
    "shopify store credit": Case(
        "shopify", "promoters", "store_credit", "as store credit", lambda f: f.add_customer(ANNA)
    ),
    "woocommerce credit coupon": Case("woocommerce", "promoters", "coupon", "only with your email address"),
    "tremendous cash": Case("stripe", "capped", "payout", "Tremendous"),
}
FAKES: dict[str, Callable[[], ShopFake]] = {
    "stripe": StripeFake,
    "woocommerce": WooCommerceFake,
    "shopify": ShopifyFake,
}
KEYS = {
    "stripe": ("StripeApiKeySecret", shop_samples.STRIPE_API_KEY),
    "woocommerce": ("WooCommerceApiKeySecret", woocommerce_fake.KEY),
    "shopify": ("ShopifyApiKeySecret", shopify_fake.KEY),
}


@dataclass
class Platforms:
    case: Case
    shop: ShopFake
    payouts: TremendousFake

    @property
    def issuing(self) -> ShopFake:
        """The platform that issues this case's reward."""
        return self.payouts if self.case.kind == "payout" else self.shop

    def held(self) -> list[dict[str, Any]]:
        """What the issuing platform holds of Anna's (the friend's coupon is Marco's)."""
        return [
            o
            for o in self.issuing.objects()
            if o["kind"] == self.case.kind
            and (o.get("email") == ANNA or (o.get("usage_limit") == 1 and o.get("used")))
        ]


@pytest.fixture(params=sorted(CASES))
def platforms(
    request: pytest.FixtureRequest,
    client: Client,
    rules_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Platforms]:
    case = CASES[request.param]
    found = Platforms(case, FAKES[case.shop](), TremendousFake())
    case.setup(found.shop)
    rules = Rules.model_validate_json(rules_path.read_bytes())
    update = {
        "shop": Shop.model_validate({"platform": case.shop, "url": "https://shop.example"}),
        "payouts": Payouts(provider="tremendous", products={"cash": ("PAYPAL123456",)}),
    }
    brands = {slug: brand.model_copy(update=update) for slug, brand in rules.brands.items()}
    rewritten = tmp_path / "rules.json"
    rewritten.write_text(rules.model_copy(update={"brands": brands}).model_dump_json(), encoding="utf-8")
    monkeypatch.setenv("RULES_PATH", str(rewritten))
    with served(found.shop) as shop_url, served(found.payouts) as payouts_url:
        monkeypatch.setenv("STRIPE_API_URL", shop_url)
        monkeypatch.setenv("SHOP_API_URL", shop_url)
        monkeypatch.setenv("TREMENDOUS_API_URL", payouts_url)
        secrets = aws.client("secretsmanager")
        secret, key = KEYS[case.shop]
        secrets.put_secret_value(SecretId=client.stack.ref(secret), SecretString=key)
        secrets.put_secret_value(
            SecretId=client.stack.ref("TremendousApiKeySecret"), SecretString=tremendous_fake.KEY
        )
        wiring.reset()
        secret_store.forget()
        yield found


def refer(client: Client, campaign: str) -> str:
    code = client.enrol(ANNA, campaign=campaign).body["code"]
    assert client.claim(code, MARCO).status == 201
    return code


def convert(client: Client) -> None:
    assert client.convert("1001", MARCO).body["status"] == "queued"
    client.run_worker()


def retry(client: Client) -> None:
    """The release schedule queues what is still held, and the worker takes it."""
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()


def reward_mails(client: Client) -> list[dict[str, Any]]:
    return [m for m in client.outbox() if ANNA in m["to"] and m["subject"].startswith("Your reward from")]


def waiting(client: Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.admin("GET", "/rewards", query="status=issued&fulfilled=false").body[
        "items"
    ]
    return items


def test_the_referrers_reward_is_issued_on_the_platform_and_not_left_to_the_business(client, platforms):
    refer(client, platforms.case.campaign)
    convert(client)
    (held,) = platforms.held()
    if platforms.case.campaign != "instant":  # a free month is 100% off one invoice
        assert held["amount"] == "5.00"
    else:
        assert (held["percent"], held["used"]) == ("100", True)
    assert waiting(client) == []
    (mail,) = reward_mails(client)
    assert platforms.case.says in mail["text"]


def test_the_platform_failing_three_times_then_recovering_issues_once(client, platforms):
    refer(client, platforms.case.campaign)
    platforms.issuing.fail(3)
    convert(client)
    for _ in range(3):
        retry(client)
    retry(client)  # nothing more to do: no second credit
    assert len(platforms.held()) == 1
    assert len(reward_mails(client)) == 1


def test_a_crash_after_the_platforms_answer_and_before_the_ledger_knew_issues_nothing_twice(
    client, platforms, monkeypatch
):
    from passaparola.storage.rewards import RewardLedger

    code = refer(client, platforms.case.campaign)  # the friend's coupon, issued before the crashes
    issue = RewardLedger.issue

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the worker died between the platform's answer and the table's write")

    monkeypatch.setattr(RewardLedger, "issue", crash)
    convert(client)
    assert len(platforms.held()) == 1  # made on the platform, unknown to the ledger
    assert [r["status"] for r in items_under(client.stack, f"CODE#{code}", "REWARD#")] == ["held"]
    monkeypatch.setattr(RewardLedger, "issue", issue)
    retry(client)
    retry(client)
    assert len(platforms.held()) == 1
    assert [r["status"] for r in items_under(client.stack, f"CODE#{code}", "REWARD#")] == ["issued"]
    (mail,) = reward_mails(client)
    assert platforms.case.says in mail["text"]


def played(tmp_path: Path, rules_path: Path, **brand: Any) -> Any:
    """A local stack, not started, whose brand file names `brand`'s shop and payouts."""
    from passaparola_localstack.serve import LocalStack

    rules = Rules.model_validate_json(rules_path.read_bytes())
    brands = {slug: b.model_copy(update=brand) for slug, b in rules.brands.items()}
    (tmp_path / "rules.json").write_text(rules.model_copy(update={"brands": brands}).model_dump_json())
    return LocalStack(state_dir=tmp_path, url="http://127.0.0.1:8000")


def test_serve_plays_tremendous_when_the_brand_pays_through_it_and_says_so_on_a_line_of_its_own(
    tmp_path, rules_path
):
    from passaparola_localstack import console, serve

    payouts = Payouts(provider="tremendous", campaign="ABCD1234EFGH")
    local = played(tmp_path, rules_path, shop=Shop(platform="stripe"), payouts=payouts)
    lines = console._shop(local)
    assert f"Tremendous key {tremendous_fake.KEY}" in lines
    status, _, _ = serve._fail(local, b'{"times": 2, "platform": "tremendous"}')
    assert status == 200 and local.tremendous._failing == 2
    manual = played(tmp_path, rules_path)
    assert not any(line.startswith("Tremendous") for line in console._shop(manual))
    assert serve._fail(manual, b'{"times": 1, "platform": "tremendous"}')[0] == 409


def test_serve_makes_a_referrer_a_customer_of_the_played_shop_as_a_purchase_would(tmp_path, rules_path):
    from passaparola_localstack import serve

    local = played(tmp_path, rules_path, shop=Shop(platform="stripe"))
    status, _, answer = serve._customer(local, b'{"email": "anna@example.com", "subscription": "month"}')
    assert status == 201
    stripe = local.shops["stripe"]
    ((customer_id, customer),) = stripe.customers.items()
    assert json.loads(answer) == {"customer": customer_id} and customer["email"] == ANNA
    (subscription,) = stripe.subscriptions.values()
    assert subscription["customer"] == customer_id
    woo = played(tmp_path, rules_path, shop=Shop(platform="woocommerce", url="https://shop.example"))
    assert serve._customer(woo, b'{"email": "anna@example.com"}')[0] == 409  # credit is a coupon there
    assert serve._customer(local, b'{"email": 1}')[0] == 422
