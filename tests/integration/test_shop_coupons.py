"""The friend's coupon created in the shop, on moto and the local stand-in of Stripe's API
(over HTTP, as the functions call Stripe): with the campaign's terms, once however often the
shop fails, and, while it is down, told truthfully and emailed once it is live."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.campaign import Rules, Shop
from passaparola.storage import aws, secret_store
from passaparola_localstack import shop_samples
from passaparola_localstack.stripe_fake import StripeFake
from tests.support import Client

pytestmark = pytest.mark.integration


@pytest.fixture
def stripe(
    client: Client, rules_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StripeFake]:
    """The brand's shop on Stripe, played by the local stand-in on a loopback port."""
    fake = StripeFake()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            path, _, query = self.path.partition("?")
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status, found = fake.handle(self.command, path, query, dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(found).encode())

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rules = Rules.model_validate_json(rules_path.read_bytes())
    shop = Shop.model_validate({"platform": "stripe"})
    brands = {slug: brand.model_copy(update={"shop": shop}) for slug, brand in rules.brands.items()}
    with_shop = tmp_path / "rules.json"
    with_shop.write_text(rules.model_copy(update={"brands": brands}).model_dump_json(), encoding="utf-8")
    monkeypatch.setenv("RULES_PATH", str(with_shop))
    monkeypatch.setenv("STRIPE_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
    aws.client("secretsmanager").put_secret_value(
        SecretId=client.stack.ref("StripeApiKeySecret"), SecretString=shop_samples.STRIPE_API_KEY
    )
    wiring.reset()
    secret_store.forget()
    yield fake
    server.shutdown()
    server.server_close()


def promotion_codes(fake: StripeFake) -> list[dict[str, Any]]:
    return [o for o in fake.objects() if o["kind"] == "promotion_code"]


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


def test_a_claim_creates_the_friends_coupon_in_stripe_with_the_campaigns_terms(client, stripe):
    before = datetime.now(UTC)
    gift = claim(client)["friend_reward"]
    (promotion,) = promotion_codes(stripe)
    assert gift["coupon_code"] == promotion["code"]
    terms = ("percent", "min_subtotal", "usage_limit", "active", "reward_id")
    assert {k: promotion[k] for k in terms} == {
        "percent": "10", "min_subtotal": "20.00", "usage_limit": 1, "active": True,
        "reward_id": "friend-gift",
    }  # fmt: skip
    window = datetime.fromisoformat(promotion["expires_at"]) - before
    assert timedelta(days=29) < window <= timedelta(days=31)  # the attribution window
    held = stripe.promotion_codes[shop_samples.promotion_id(promotion["code"])]
    assert held["restrictions"]["first_time_transaction"] is True


def test_stripe_failing_twice_then_recovering_gives_one_coupon_and_one_code(client, stripe):
    stripe.fail(2)  # the claim's own try, then the worker's first
    gift = claim(client)["friend_reward"]
    assert (gift["status"], gift["coupon_code"]) == ("held", None)
    client.run_worker()
    assert promotion_codes(stripe) == []
    retry(client)
    retry(client)  # nothing more to do: no second code
    (promotion,) = promotion_codes(stripe)
    assert len([o for o in stripe.objects() if o["kind"] == "coupon"]) == 1
    (mail,) = mails_to(client, "marco@example.com")
    assert promotion["code"] in mail["text"]


def test_while_stripe_is_down_the_friend_is_told_the_truth_and_emailed_once_it_is_back(client, stripe):
    stripe.fail(1_000)
    gift = claim(client)["friend_reward"]
    assert (gift["status"], gift["coupon_code"]) == ("held", None)  # the page: "on its way, by email"
    retry(client)
    assert mails_to(client, "marco@example.com") == []
    stripe.fail(0)
    retry(client)
    (promotion,) = promotion_codes(stripe)
    (mail,) = mails_to(client, "marco@example.com")
    assert promotion["code"] in mail["text"]
