"""The friend's coupon created in the shop, on moto and the local stand-ins of Stripe's,
WooCommerce's and Shopify's APIs (over HTTP, as the functions call them): with the campaign's
terms, once however often the shop fails, and, while it is down, told truthfully and emailed
once it is live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.campaign import Rules, Shop
from passaparola.domain.shop import ShopUnavailable
from passaparola.storage import aws, secret_store
from passaparola_localstack import shop_samples, shopify_fake, woocommerce_fake
from passaparola_localstack.serve import ShopFake
from passaparola_localstack.shopify_fake import ShopifyFake
from passaparola_localstack.stripe_fake import StripeFake
from passaparola_localstack.woocommerce_fake import WooCommerceFake
from tests.shops import served
from tests.support import Client, person_key

pytestmark = pytest.mark.integration

KEYS = {
    "stripe": ("StripeApiKeySecret", shop_samples.STRIPE_API_KEY),
    "woocommerce": ("WooCommerceApiKeySecret", woocommerce_fake.KEY),
    "shopify": ("ShopifyApiKeySecret", shopify_fake.KEY),
}
FAKES = {"stripe": StripeFake, "woocommerce": WooCommerceFake, "shopify": ShopifyFake}


@pytest.fixture(params=sorted(FAKES))
def shop(
    request: pytest.FixtureRequest,
    client: Client,
    rules_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ShopFake]:
    """The brand's shop on each platform, played by its local stand-in on a loopback port."""
    platform = request.param
    fake: ShopFake = FAKES[platform]()

    with served(fake) as here:
        rules = Rules.model_validate_json(rules_path.read_bytes())
        named = Shop.model_validate({"platform": platform, "url": "https://shop.example"})
        brands = {slug: brand.model_copy(update={"shop": named}) for slug, brand in rules.brands.items()}
        with_shop = tmp_path / "rules.json"
        with_shop.write_text(rules.model_copy(update={"brands": brands}).model_dump_json(), encoding="utf-8")
        monkeypatch.setenv("RULES_PATH", str(with_shop))
        monkeypatch.setenv("STRIPE_API_URL", here)
        monkeypatch.setenv("SHOP_API_URL", here)
        secret, key = KEYS[platform]
        aws.client("secretsmanager").put_secret_value(SecretId=client.stack.ref(secret), SecretString=key)
        wiring.reset()
        secret_store.forget()
        yield fake


def friend_codes(fake: ShopFake) -> list[dict[str, Any]]:
    """The codes held for friends (Stripe's promotion codes; WooCommerce's coupons; Shopify's
    discount codes)."""
    return [o for o in fake.objects() if o.get("reward_id")]


def claim(client: Client) -> dict[str, Any]:
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    answer = client.claim(code, "marco@example.com")
    assert answer.status == 201
    return answer.body


def mails_to(client: Client, address: str) -> list[dict[str, Any]]:
    return [m for m in client.outbox() if address in m["to"]]


def retry(client: Client) -> None:
    """The release schedule queues what is still held, and the worker takes it."""
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()


def test_a_claim_creates_the_friends_coupon_in_the_shop_with_the_campaigns_terms(client, shop):
    before = datetime.now(UTC)
    gift = claim(client)["friend_reward"]
    (held,) = friend_codes(shop)
    assert gift["coupon_code"].lower() == held["code"].lower()  # WooCommerce keeps it in lower case
    terms = ("percent", "min_subtotal", "usage_limit", "active", "reward_id")
    assert {k: held[k] for k in terms} == {
        "percent": "10", "min_subtotal": "20.00", "usage_limit": 1, "active": True,
        "reward_id": "friend-gift",
    }  # fmt: skip
    window = datetime.fromisoformat(held["expires_at"]) - before
    assert timedelta(days=29) < window <= timedelta(days=31)  # the attribution window
    if isinstance(shop, StripeFake):
        promotion = shop.promotion_codes[shop_samples.promotion_id(held["code"])]
        assert promotion["restrictions"]["first_time_transaction"] is True
    elif isinstance(shop, WooCommerceFake):
        assert held["email"] == "marco@example.com"
    else:
        assert shop.discounts[held["code"]]["appliesOncePerCustomer"] is True


def test_the_shop_failing_twice_then_recovering_gives_one_coupon(client, shop):
    shop.fail(2)  # the claim's own try, then the worker's first
    gift = claim(client)["friend_reward"]
    assert (gift["status"], gift["coupon_code"]) == ("held", None)
    client.run_worker()
    assert friend_codes(shop) == []
    retry(client)
    retry(client)  # nothing more to do: no second code
    (held,) = friend_codes(shop)
    assert len(shop.objects()) == (2 if isinstance(shop, StripeFake) else 1)  # Stripe's: and the coupon
    (mail,) = mails_to(client, "marco@example.com")
    assert held["code"].lower() in mail["text"].lower()


def test_while_the_shop_is_down_the_friend_is_told_the_truth_and_emailed_once_it_is_back(client, shop):
    shop.fail(1_000)
    gift = claim(client)["friend_reward"]
    assert (gift["status"], gift["coupon_code"]) == ("held", None)  # the page: "on its way, by email"
    retry(client)
    assert mails_to(client, "marco@example.com") == []
    shop.fail(0)
    retry(client)
    (held,) = friend_codes(shop)
    (mail,) = mails_to(client, "marco@example.com")
    assert held["code"].lower() in mail["text"].lower()


@pytest.mark.parametrize("later", [False, True], ids=["at once", "a day later"])
def test_a_crash_after_the_shop_made_the_coupon_and_before_the_ledger_knew_makes_no_second(
    client, shop, monkeypatch, later
):
    from passaparola.storage.rewards import RewardLedger

    issue = RewardLedger.issue

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the function died between the shop's answer and the table's write")

    monkeypatch.setattr(RewardLedger, "issue", crash)
    gift = claim(client)["friend_reward"]
    assert (gift["status"], gift["coupon_code"]) == ("held", None)
    assert len(friend_codes(shop)) == 1  # made in the shop, unknown to the ledger
    monkeypatch.setattr(RewardLedger, "issue", issue)
    if later and isinstance(shop, StripeFake):
        shop.a_day_later()  # the key forgotten: the code is found taken and read back
    retry(client)  # Stripe: the same Idempotency-Key; the others: the code taken, read back as ours
    (held,) = friend_codes(shop)
    (mail,) = mails_to(client, "marco@example.com")
    assert held["code"].lower() in mail["text"].lower()


def test_after_a_refund_the_shop_deactivates_an_unused_code_and_leaves_a_used_one(client, shop):
    """The adapters against each platform's stand-in, as the reward worker calls them."""
    code = claim(client)["friend_reward"]["coupon_code"]
    other = client.claim(client.enrol("ada@example.com", campaign="gift").body["code"], "bob@example.com")
    spent = other.body["friend_reward"]["coupon_code"]
    assert shop.checkout("bob@example.com", Decimal(30), "EUR", spent, None).order is not None
    adapter = wiring.shop_coupons()
    assert adapter is not None
    shop.fail(1)
    with pytest.raises(ShopUnavailable):
        adapter.deactivate(code)
    assert adapter.deactivate(code) == "deactivated"
    assert adapter.deactivate(code) == "deactivated"  # a retry after a crash: nothing more to do
    assert adapter.deactivate(spent) == "used"
    assert adapter.deactivate("GIFT-NEVER-MADE") == "absent"
    held = {o["code"].upper(): (o["active"], o["used"]) for o in friend_codes(shop)}
    assert held == {code.upper(): (False, False), spent.upper(): (True, True)}


def test_the_reward_worker_deactivates_a_clawed_back_code_in_the_shop_once_the_shop_is_back(client, shop):
    """The ledger's due index and the worker's idempotency record as on AWS: the deactivation
    is its own step (keyed on clawed_back), failed while the shop is down, done once it is up."""
    from passaparola.domain.records import Owner, RewardMessage, RewardRef
    from passaparola.storage.rewards import RewardLedger

    code = claim(client)["friend_reward"]["coupon_code"]
    ref = RewardRef(Owner.friend(person_key("marco@example.com")), "friend-gift")
    ledger = RewardLedger(wiring.table())
    # Refunded minutes ago: its message failed then, and the release schedule finds it due now.
    assert ledger.claw_back(ref, datetime.now(UTC) - timedelta(minutes=5), "refunded", revoke=True)
    wiring.reward_queue().send([RewardMessage(ref.owner, ref.reward_id, "clawed_back")])
    shop.fail(1_000)
    client.run_worker(max_rounds=1)
    assert ledger.get(ref).revocation == "pending"
    shop.fail(0)
    retry(client)
    reward = ledger.get(ref)
    assert (reward.status, reward.revocation) == ("clawed_back", "deactivated")
    (held,) = friend_codes(shop)
    assert (held["code"].upper(), held["active"]) == (code.upper(), False)
