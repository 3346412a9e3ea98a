"""schemathesis against the running local stack: every answer matches the OpenAPI document
(status codes, content types, bodies), and no generated request gets a 5xx. Signed routes are
signed, as a shop signs them, and the business's routes carry the stack's real admin key, so
generated requests reach the handlers behind the signature or the credential."""

import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance, unsupported_method
from schemathesis.config import SchemathesisConfig

from passaparola.domain.platforms import shopify, stripe, woocommerce
from passaparola.domain.signatures import sign
from passaparola.handlers.api_docs import document

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# A body over a route's size limit is refused with 413, which schemathesis does not count as
# refusing invalid data unless told (POST /unsubscribe/{token} takes 1 KB at most).
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CHECKS = {"negative_data_rejection": {"expected-statuses": REFUSALS}}
schema = schemathesis.openapi.from_dict(
    json.loads(document()), config=SchemathesisConfig.from_dict({"checks": CHECKS})
)

PLATFORMS = ("stripe", "shopify", "woocommerce")
STATUSES: dict[str, Counter[int]] = defaultdict(Counter)


class StandardWebhooks(requests.auth.AuthBase):
    """Turns the placeholder `webhook-signature` schemathesis generates for the security scheme
    into a real signature, with webhook-id and webhook-timestamp. A request it sends without
    the header (to check that the API refuses one) stays unsigned. A requests auth runs on the
    prepared request, after the body is serialised, so the signature covers exactly what is sent."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if "webhook-signature" not in request.headers:
            return request
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        try:
            raw.decode()
        except UnicodeDecodeError:
            return request  # no shop signs that; the API refuses a body that is not UTF-8 first
        request.headers.update(sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), self.secret))
        return request


class PlatformSignature(requests.auth.AuthBase):
    """The same for a shop platform's own scheme: its signature header, over the bytes sent.
    A Shopify delivery also carries its topic and delivery id, so bodies reach the mapping."""

    def __init__(self, platform: str, secret: str) -> None:
        self.platform, self.secret = platform, secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        header = {"stripe": "Stripe-Signature", "shopify": "X-Shopify-Hmac-Sha256"}
        if header.get(self.platform, "X-WC-Webhook-Signature") not in request.headers:
            return request
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        if self.platform == "stripe":
            request.headers["Stripe-Signature"] = stripe.sign(raw, self.secret, int(time.time()))[
                "stripe-signature"
            ]
        elif self.platform == "shopify":
            request.headers["X-Shopify-Hmac-Sha256"] = shopify.sign(raw, self.secret)["x-shopify-hmac-sha256"]
            request.headers["X-Shopify-Topic"] = "orders/paid"
            request.headers["X-Shopify-Webhook-Id"] = str(uuid.uuid4())
        else:
            request.headers["X-WC-Webhook-Signature"] = woocommerce.sign(raw, self.secret)[
                "x-wc-webhook-signature"
            ]
        return request


class AdminKey(requests.auth.AuthBase):
    """Puts the stack's real admin key in place of the bearer schemathesis generates; a request
    it sends without one (to check the 401) stays without."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if "authorization" in request.headers:
            request.headers["authorization"] = f"Bearer {self.key}"
        return request


class Either(requests.auth.AuthBase):
    """A route either scheme opens (a review decision): whichever header the case carries."""

    def __init__(self, *auths: requests.auth.AuthBase) -> None:
        self.auths = auths

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        for auth in self.auths:
            request = auth(request)
        return request


ADMIN_ROUTES = {
    "GET /campaigns/{slug}/report",
    "GET /referrals",
    "GET /rewards",
    "GET /reviews",
    "POST /rewards/{reward_id}/fulfilment",
    "POST /reviews/{conversion_id}",
}


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """Requests sent and 5xx answers per route, printed at the end whatever -s says."""
    yield
    lines = ["", "schemathesis, per route: requests sent, 5xx answers, answers by status"]
    for route, statuses in sorted(STATUSES.items()):
        errors = sum(n for status, n in statuses.items() if status >= 500)
        spread = " ".join(f"{status}:{n}" for status, n in sorted(statuses.items()))
        lines.append(f"  {route:<22} {statuses.total():>4} sent {errors:>2} 5xx   {spread}")
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print("\n".join(lines))
    # signed bodies must reach the handlers, not stop at the signature check
    for route in ("POST /conversions", "POST /refunds"):
        if route in STATUSES:
            assert STATUSES[route][202] > 0, (route, STATUSES[route])
    # and the platforms' signed bodies reach their mapping (a body that is no event: 422 or 200)
    for platform in PLATFORMS:
        route = f"POST /integrations/{platform}"
        if route in STATUSES:
            assert STATUSES[route][422] + STATUSES[route][200] > 0, (route, STATUSES[route])
    # and the admin key must open the business's lists
    for route in ("GET /campaigns/{slug}/report", "GET /referrals", "GET /rewards", "GET /reviews"):
        if route in STATUSES:
            assert STATUSES[route][200] > 0, (route, STATUSES[route])


def test_the_served_document_is_the_one_tested(local_stack):
    status, _, raw = local_stack.get("/openapi.json")
    assert status == 200
    assert json.loads(raw) == json.loads(document())


def test_every_route_is_tested_signed_ones_included():
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} == {
        "GET /r/{code}",
        "GET /codes/{code}",
        "POST /referrers",
        "OPTIONS /referrers",
        "POST /claims",
        "POST /conversions",
        "POST /refunds",
        "POST /reviews/{conversion_id}",
        "GET /referrers/me",
        "PUT /referrers/me/leaderboard",
        "POST /integrations/stripe",
        "POST /integrations/shopify",
        "POST /integrations/woocommerce",
        "POST /unsubscribe/{token}",
        "POST /me/link",
        "GET /me",
        "DELETE /me",
        "POST /admin/sign-in",
        "POST /admin/sessions",
        *ADMIN_ROUTES,
    }
    assert {f"{op.method.upper()} {op.path}" for op in operations if op.definition.raw.get("security")} == {
        "POST /conversions",
        "POST /refunds",
        *(f"POST /integrations/{platform}" for platform in PLATFORMS),
        *ADMIN_ROUTES,
    }


@schema.parametrize()
# 50 generated requests a route (schemathesis also sends its explicit and boundary cases): the
# suite's five minutes on two cores; `schemathesis run` against `serve` goes further by hand.
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented(case, local_stack):
    # Business rules answer 422 to requests the schema alone cannot refuse (an unknown code,
    # a self-referral, a throwaway address): that is the contract, documented per route. A
    # method a path does not declare is a 404, as API Gateway's HTTP APIs answer it, not a 405.
    route = f"{case.operation.method.upper()} {case.operation.path}"
    schemes = {
        name for requirement in case.operation.definition.raw.get("security", []) for name in requirement
    }
    platform = case.operation.path.removeprefix("/integrations/")
    auths: list[requests.auth.AuthBase] = []
    if platform in PLATFORMS:
        auths.append(PlatformSignature(platform, local_stack.platform_secrets[platform]))
    auths += [StandardWebhooks(local_stack.webhook_secret)] if "standardWebhooks" in schemes else []
    auths += [AdminKey(local_stack.admin_key)] if "adminBearer" in schemes else []
    extra: dict[str, Any] = {"auth": Either(*auths)} if auths else {}
    response = case.call(base_url=local_stack.url, timeout=30, **extra)
    STATUSES[route][response.status_code] += 1
    case.validate_response(
        response,
        excluded_checks=[positive_data_acceptance, unsupported_method],
        transport_kwargs={"base_url": local_stack.url, "timeout": 30, **extra},
    )
