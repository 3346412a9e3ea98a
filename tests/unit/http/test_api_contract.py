"""The API's contract at the HTTP layer, on fakes: bad input and bad signatures get a 4xx
{error, message} and write nothing; unknown routes; the stats page's token; OpenAPI. What
needs the real adapters (a redelivery's idempotency record, no 5xx from any input on the
real tables, the stats page's numbers) is in tests/integration/test_api_contract.py."""

import json
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.unit

CONVERSION = {"order_id": "1001", "email": "marco@example.com", "amount": "49.90", "currency": "EUR"}


@pytest.fixture
def claimed(client):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    return code


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda h, b: (
                h | {"webhook-timestamp": str(int((datetime.now(UTC) - timedelta(minutes=6)).timestamp()))},
                b,
            ),
            id="stale",
        ),
        pytest.param(
            lambda h, b: (
                h | {"webhook-timestamp": str(int((datetime.now(UTC) + timedelta(minutes=6)).timestamp()))},
                b,
            ),
            id="future",
        ),
        pytest.param(lambda h, b: (h, b.replace(b"49.90", b"4990.00")), id="tampered body"),
        pytest.param(
            lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b), id="missing signature"
        ),
        pytest.param(lambda h, b: ({}, b), id="unsigned"),
        pytest.param(lambda h, b: (h | {"webhook-signature": "v1,AAAA"}, b), id="wrong signature"),
        pytest.param(lambda h, b: (h | {"webhook-id": "other"}, b), id="other id"),
    ],
)
def test_bad_signatures_get_401_and_write_nothing(client, claimed, tamper):
    from passaparola.domain.signatures import sign
    from tests.support import WEBHOOK_SECRET

    body = json.dumps(CONVERSION).encode()
    headers, sent = tamper(sign(body, "msg_1", datetime.now(UTC), WEBHOOK_SECRET), body)
    before = client.state()
    answer = client.call("POST", "/conversions", raw=sent, headers=headers)
    assert answer.status == 401
    assert answer.body["error"] == "invalid_signature"
    assert answer.body["message"]
    assert client.state() == before


def test_a_body_that_is_not_json_is_refused_even_when_signed(client, claimed):
    from passaparola.domain.signatures import sign
    from tests.support import WEBHOOK_SECRET

    body = b"{order_id: 1001"
    answer = client.call(
        "POST", "/conversions", raw=body, headers=sign(body, "m", datetime.now(UTC), WEBHOOK_SECRET)
    )
    assert (answer.status, answer.body["error"]) == (400, "malformed_json")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"currency": "euro"}, "currency"),
        ({"email": 42}, "email"),
        ({"order_id": "has spaces"}, "order_id"),
        ({"order_id": "x" * 200}, "order_id"),
    ],
)
def test_wrong_types_name_the_field(client, claimed, change, field):
    before = client.state()
    answer = client.signed("/conversions", CONVERSION | change)
    assert answer.status == 422
    assert answer.body["error"] == "invalid_request"
    assert answer.body["message"].startswith(field)
    assert client.state() == before


@pytest.mark.parametrize("path", ["/referrers", "/claims", "/conversions", "/refunds"])
def test_an_oversize_body_is_refused_before_anything_runs(client, path):
    answer = client.call("POST", path, raw=b'{"x":"' + b"a" * 20000 + b'"}')
    assert (answer.status, answer.body["error"]) == (413, "payload_too_large")


def test_unknown_routes_answer_json(client):
    answer = client.call("GET", "/nope")
    assert answer.status == 404
    assert answer.body["error"] == "not_found"


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer GIFT-BCDFGHJKM.9999999999.forged"])
def test_the_stats_page_needs_a_valid_token(client, header):
    answer = client.call("GET", "/referrers/me", headers={"authorization": header} if header else {})
    assert (answer.status, answer.body["error"]) == (401, "invalid_token")


def test_the_openapi_document_matches_the_api(client):
    answer = client.call("GET", "/openapi.json")
    assert answer.status == 200
    spec = answer.body
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert set(paths) == {
        "/r/{code}",
        "/codes/{code}",
        "/referrers",
        "/claims",
        "/conversions",
        "/refunds",
        "/reviews/{conversion_id}",
        "/referrers/me",
        "/referrers/me/leaderboard",
        "/integrations/stripe",
        "/integrations/shopify",
        "/integrations/woocommerce",
        "/unsubscribe/{token}",
        "/me/link",
        "/me",
        "/admin/sign-in",
        "/admin/sessions",
        "/campaigns/{slug}/report",
        "/referrals",
        "/rewards",
        "/rewards/{reward_id}/fulfilment",
        "/reviews",
    }
    # Enrolment and claims answer 201 whether or not the address was known: no 200 to tell.
    assert set(paths["/referrers"]["post"]["responses"]) == {"201", "400", "403", "413", "415", "422", "429"}
    assert set(paths["/claims"]["post"]["responses"]) == {"201", "400", "403", "413", "415", "422", "429"}
    # Nor does asking for a data link: 202 for any address.
    assert set(paths["/me/link"]["post"]["responses"]) == {"202", "400", "403", "413", "415", "422", "429"}
    for path, method in (
        ("/referrers", "post"),
        ("/claims", "post"),
        ("/me/link", "post"),
        ("/codes/{code}", "get"),
        ("/r/{code}", "get"),
    ):
        limited = paths[path][method]["responses"]["429"]
        assert "Retry-After" in limited["headers"], path
    assert set(paths["/conversions"]["post"]["responses"]) >= {"202", "400", "401", "409", "413", "422"}
    assert set(paths["/r/{code}"]["get"]["responses"]) >= {"302"}
    assert set(paths["/codes/{code}"]["get"]["responses"]) >= {"200", "404"}
    error = spec["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"error", "message"}
    assert paths["/conversions"]["post"]["security"] == [{"standardWebhooks": []}]
    # an admin's credential, or the shop's signature
    assert paths["/reviews/{conversion_id}"]["post"]["security"] == [
        {"adminBearer": []},
        {"standardWebhooks": []},
    ]
    for path, method in (("/campaigns/{slug}/report", "get"), ("/referrals", "get"), ("/rewards", "get")):
        assert paths[path][method]["security"] == [{"adminBearer": []}], path
        assert set(paths[path][method]["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert spec["components"]["securitySchemes"]["adminBearer"]["scheme"] == "bearer"
    assert set(paths["/reviews/{conversion_id}"]["post"]["responses"]) >= {"200", "401", "404", "422"}
    schemes = spec["components"]["securitySchemes"]
    for platform, scheme, header in (
        ("stripe", "stripeSignature", "Stripe-Signature"),
        ("shopify", "shopifyHmac", "X-Shopify-Hmac-Sha256"),
        ("woocommerce", "wooCommerceSignature", "X-WC-Webhook-Signature"),
    ):
        operation = paths[f"/integrations/{platform}"]["post"]
        assert operation["security"] == [{scheme: []}]
        assert (schemes[scheme]["in"], schemes[scheme]["name"]) == ("header", header)
        # a paid order or a refund (202), an event not used (200), never anything unsigned
        assert set(operation["responses"]) >= {"200", "202", "401", "413", "422"}
    # RFC 8058: the mail client's one-click POST is a form, not JSON
    one_click = paths["/unsubscribe/{token}"]["post"]
    assert set(one_click["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
    assert set(one_click["responses"]) == {"200", "401", "413", "415", "422"}
