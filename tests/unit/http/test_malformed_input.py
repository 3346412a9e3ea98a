"""Odd input, sent as an attacker or a sloppy client would: always a 4xx {error, message}, and
nothing written. Media types, nesting, byte sizes, amounts, currencies and email addresses:
the HTTP layer alone, on fakes (what it takes on each route is tested on moto, in
tests/integration/test_malformed_input.py)."""

import json

import pytest

from passaparola.api.errors import MAX_BODY_BYTES, MAX_DEPTH
from tests.odd_input import CONTROLS, ROUTES, enrol_event, good_bodies, padded, post

pytestmark = pytest.mark.unit


@pytest.fixture
def bodies(client):
    """A good body for each public POST route, and the status it earns."""
    return good_bodies(client)


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
        "text/plain",
        "application/jsonp",
        "application/x-www-form-urlencoded",
    ],
)
def test_another_media_type_or_charset_is_415_and_writes_nothing(client, bodies, path, content_type):
    body, _ = bodies[path]
    before = client.state()
    answer = post(client, path, json.dumps(body).encode(), content_type)
    assert (answer.status, answer.body["error"]) == (415, "unsupported_media_type")
    assert answer.body["message"]
    assert client.state() == before


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1000 + b"]" * 1000,  # 2 KB
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        b'{"campaign":"instant","email":"a@example.com","name":' + b"[" * 1000,  # and not even closed
    ],
    ids=["arrays", "objects", "unclosed"],
)
def test_json_nested_1000_deep_is_refused_before_parsing(client, bodies, path, raw):
    before = client.state()
    answer = post(client, path, raw)
    assert (answer.status, answer.body["error"]) == (400, "too_deep")
    assert str(MAX_DEPTH) in answer.body["message"]
    assert client.state() == before


def test_the_body_limit_counts_bytes_not_characters(client):
    # 6,000 euro signs are 6,000 characters but 18,000 bytes
    raw = json.dumps(
        {"campaign": "instant", "email": "a@example.com", "name": "€" * 6000}, ensure_ascii=False
    )
    assert len(raw) < MAX_BODY_BYTES < len(raw.encode())
    answer = post(client, "/referrers", raw.encode())
    assert (answer.status, answer.body["error"]) == (413, "payload_too_large")


@pytest.mark.parametrize("encoded", [False, True], ids=["text", "base64"])
def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not(client, encoded):
    full = client.gateway.invoke(
        "EnrolAndClaimFunction", enrol_event(client, padded(MAX_BODY_BYTES), encoded=encoded)
    )
    assert full["statusCode"] == 201, full["body"]
    over = client.gateway.invoke(
        "EnrolAndClaimFunction", enrol_event(client, padded(MAX_BODY_BYTES + 1), encoded=encoded)
    )
    assert over["statusCode"] == 413


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c[0]):04X}" for c in CONTROLS])
def test_an_email_with_a_control_character_is_refused_on_every_route(client, bodies, path, control):
    body, _ = bodies[path]
    before = client.state()
    answer = post(client, path, json.dumps(body | {"email": f"car{control}la@example.com"}).encode())
    assert (answer.status, answer.body["error"]) == (422, "invalid_request"), answer.body
    assert answer.body["message"].startswith("email:")
    assert f"U+{ord(control[0]):04X}" in answer.body["message"]
    assert client.state() == before


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("address", ["\x00carla@example.com", "carla@example.com\n", "carla@example.com\x00"])
def test_a_control_character_at_either_end_of_an_email_is_refused_too(client, bodies, path, address):
    body, _ = bodies[path]
    answer = post(client, path, json.dumps(body | {"email": address}).encode())
    assert (answer.status, answer.body["error"]) == (422, "invalid_request"), answer.body


@pytest.mark.parametrize("address", ["anna@xn--.example", "anna@bü cher.example", "anna@a\u2488.example"])
def test_a_domain_that_is_no_valid_idna_name_is_refused(client, address):
    answer = client.enrol(address, campaign="instant")
    assert (answer.status, answer.body["error"]) == (422, "invalid_input"), answer.body
    assert answer.body["message"].startswith("email")


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/referrers/me", None, {"authorization": "Bearer a.1.é"}),
        ("/referrers", '{"campaign": "gift", "email": "a@example.com", "name": ' + "1" * 5000 + "}", {}),
        ("/claims", '{"code": ' + "9" * 5000 + "}", {}),
    ],
)
def test_an_odd_token_or_an_oversized_number_is_a_4xx(client, path, body, headers):
    method = "GET" if body is None else "POST"
    answer = client.call(method, path, raw=body.encode() if body else None, headers=headers)
    assert 400 <= answer.status < 500, answer.body
    assert set(answer.body) >= {"error", "message"}
