"""The API's contract where it needs the real adapters: a redelivery answered from its
idempotency record, no input making a public route fail with a 5xx on the real tables, and
the stats page's own numbers. The HTTP layer alone is tested on fakes, in
tests/unit/http/test_api_contract.py."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration

CONVERSION = {"order_id": "1001", "email": "marco@example.com", "amount": "49.90", "currency": "EUR"}


@pytest.fixture
def claimed(client):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    return code


def test_a_redelivery_with_the_same_webhook_id_gets_the_first_answer(client, claimed):
    first = client.signed("/conversions", CONVERSION, msg_id="msg_same")
    again = client.signed("/conversions", CONVERSION, msg_id="msg_same")
    assert again.status == 202
    assert again.body == first.body  # "queued", not "duplicate": the first answer, replayed
    reused = client.signed("/conversions", CONVERSION | {"amount": "1.00"}, msg_id="msg_same")
    assert (reused.status, reused.body["error"]) == (422, "webhook_id_reused")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "campaign": JSON_VALUES | st.sampled_from(["gift", "instant", "paused"]),
        "email": JSON_VALUES | st.sampled_from(["a@example.com", "x@mailinator.com"]),
        "name": JSON_VALUES,
        "locale": JSON_VALUES | st.sampled_from(["it", "xx"]),
        "code": JSON_VALUES | st.sampled_from(["GIFT-BCDFGHJKM", "nope"]),
        "variant": JSON_VALUES,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/referrers", "/claims"]), body=JSON_VALUES | FIELDS, raw=st.binary(max_size=40))
def test_no_input_makes_a_public_route_fail_with_a_5xx(client, path, body, raw):
    for payload in (json.dumps(body).encode(), raw):
        answer = client.call("POST", path, raw=payload)
        assert answer.status < 500, (payload, answer.body)
        if answer.status >= 400:
            assert set(answer.body) >= {"error", "message"}, answer.body


def test_the_stats_page_shows_the_referrers_own_numbers(client):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.call("GET", f"/r/{code}")
    client.claim(code, "marco@example.com")
    client.convert("5", "marco@example.com")
    client.run_worker()
    client.run_rollup()  # the counters follow the table's stream
    welcome = next(m for m in client.outbox() if m["to"] == ["anna@example.com"])
    token = welcome["text"].split("#t=")[1].split()[0]
    answer = client.call("GET", "/referrers/me", headers={"authorization": f"Bearer {token}"})
    assert answer.status == 200
    body = answer.body
    assert (body["code"], body["clicks"], body["claims"], body["conversions"]) == (code, 1, 1, 1)
    assert [(r["kind"], r["status"], r["description"]) for r in body["rewards"]] == [
        ("free_period", "issued", "1 free month")
    ]
    assert body["qr"].startswith("data:image/svg+xml")
    assert "anna@" not in json.dumps(body)
    assert answer.headers["cache-control"] == "no-store, private"
