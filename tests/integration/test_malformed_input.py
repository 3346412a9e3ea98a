"""Odd input, sent as an attacker or a sloppy client would: always a 4xx {error, message}, and
nothing written. Media types, nesting, byte sizes, amounts, currencies and email addresses."""

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from passaparola.api.errors import MAX_BODY_BYTES, MAX_DEPTH
from passaparola.domain.signatures import sign
from passaparola_localstack.events import http_event
from tests.support import WEBHOOK_SECRET, items_under

pytestmark = pytest.mark.integration

ORDER = {"order_id": "1001", "email": "marco@example.com", "amount": "49.90", "currency": "EUR"}


def state(client):
    """What a request could have written: items (but idempotency records), queued messages, mail."""
    from passaparola.storage import aws

    items = [i for i in items_under(client.stack, "") if not i["pk"].startswith("IDEMPOTENCY#")]
    queue = aws.client("sqs").get_queue_attributes(
        QueueUrl=client.stack.ref("RewardQueue"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return items, queue["Attributes"]["ApproximateNumberOfMessages"], len(client.outbox())


def post(client, path, raw, content_type="application/json"):
    """A POST as the page or the store sends it; /conversions is signed, as a real store would."""
    headers = {"content-type": content_type}
    if path == "/conversions":
        headers |= sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), WEBHOOK_SECRET)
    return client.call("POST", path, raw=raw, headers=headers)


@pytest.fixture
def bodies(client):
    """A good body for each public POST route, and the status it earns."""
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    return {
        "/referrers": ({"campaign": "instant", "email": "ada@example.com"}, 201),
        "/claims": ({"code": code, "email": "bob@example.com"}, 201),
        "/conversions": (ORDER, 202),
    }


ROUTES = ["/referrers", "/claims", "/conversions"]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "content_type",
    ["Application/Json", "application/JSON; charset=utf-8", 'APPLICATION/JSON;CHARSET="UTF-8"'],
)
def test_a_json_media_type_in_any_case_and_with_the_utf8_charset_is_json(client, bodies, path, content_type):
    body, status = bodies[path]
    answer = post(client, path, json.dumps(body).encode(), content_type)
    assert answer.status == status, answer.body


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
    before = state(client)
    answer = post(client, path, json.dumps(body).encode(), content_type)
    assert (answer.status, answer.body["error"]) == (415, "unsupported_media_type")
    assert answer.body["message"]
    assert state(client) == before


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
    before = state(client)
    answer = post(client, path, raw)
    assert (answer.status, answer.body["error"]) == (400, "too_deep")
    assert str(MAX_DEPTH) in answer.body["message"]
    assert state(client) == before


@pytest.mark.parametrize("path", ROUTES)
def test_nesting_up_to_the_limit_is_parsed_and_answered_as_usual(client, bodies, path):
    body, status = bodies[path]
    deep = [[]]
    for _ in range(MAX_DEPTH - 3):
        deep = [deep]
    # brackets inside strings are text, not nesting
    answer = post(client, path, json.dumps(body | {"extra": deep, "note": "[" * 100}).encode())
    assert answer.status == status, answer.body


def test_the_body_limit_counts_bytes_not_characters(client):
    # 6,000 euro signs are 6,000 characters but 18,000 bytes
    raw = json.dumps(
        {"campaign": "instant", "email": "a@example.com", "name": "€" * 6000}, ensure_ascii=False
    )
    assert len(raw) < MAX_BODY_BYTES < len(raw.encode())
    answer = post(client, "/referrers", raw.encode())
    assert (answer.status, answer.body["error"]) == (413, "payload_too_large")


def enrol_event(client, raw, *, encoded):
    """An enrolment as CloudFront sends it (with the origin header), built by hand."""
    headers = {"content-type": "application/json"} | client.gateway.origin_headers
    event = http_event("POST", "/referrers", route_key="POST /referrers", headers=headers)
    event["body"] = base64.b64encode(raw).decode() if encoded else raw.decode()
    event["isBase64Encoded"] = encoded
    return event


def padded(size):
    body = {"campaign": "instant", "email": f"pad{size}@example.com", "pad": ""}
    filler = size - len(json.dumps(body).encode())
    raw = json.dumps(body | {"pad": "x" * filler}).encode()
    assert len(raw) == size
    return raw


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


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "\uff14\uff19"}, "amount"),  # full-width digits
        ({"amount": "٤٩"}, "amount"),  # Arabic-Indic digits
        ({"amount": " 49"}, "amount"),
        ({"amount": "+49"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "0.0001"}, "amount"),  # positive, but finer than a cent
        ({"amount": "49.999"}, "amount"),
        ({"amount": "4999.5", "currency": "JPY"}, "amount"),  # the yen has no minor unit
        ({"currency": "ZZZ"}, "currency"),  # three capitals, but no currency
        ({"currency": "XXX"}, "currency"),  # ISO 4217's "no currency"
        ({"currency": "DEM"}, "currency"),  # the Deutsche Mark, withdrawn in 2002
        ({"currency": "ZZZ", "amount": "0.0001"}, "currency"),
    ],
)
def test_an_order_in_no_currency_or_in_odd_amounts_is_422_naming_the_field(client, bodies, change, field):
    before = state(client)
    answer = client.signed("/conversions", ORDER | change)
    assert (answer.status, answer.body["error"]) == (422, "invalid_request"), answer.body
    assert answer.body["message"].startswith(f"{field}:"), answer.body["message"]
    assert state(client) == before


def test_an_order_refused_for_its_amount_can_be_sent_again_corrected_under_the_same_id(client, bodies):
    refused = client.signed("/conversions", ORDER | {"amount": "0.0001"}, msg_id="msg_fix")
    assert refused.status == 422
    corrected = client.signed("/conversions", ORDER, msg_id="msg_fix")
    assert (corrected.status, corrected.body["status"]) == (202, "queued")


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "49"},
        {"amount": 49},
        {"amount": "49.9"},
        {"amount": "49.90"},
        {"amount": "49.900"},  # trailing zeros add no precision
        {"amount": "4999", "currency": "JPY"},
        {"amount": "4999.00", "currency": "JPY"},
        {"amount": "19.125", "currency": "BHD"},  # the Bahraini dinar has three decimals
    ],
)
def test_amounts_in_plain_digits_within_the_minor_unit_are_taken(client, bodies, change):
    answer = client.signed("/conversions", ORDER | change)
    assert (answer.status, answer.body["status"]) == (202, "queued"), answer.body


CONTROLS = ["\x00", "\x07", "\x1b", "\r\nbcc: eve@example.com", "\x7f", "\u0085", "\u200b", "\u202e"]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c[0]):04X}" for c in CONTROLS])
def test_an_email_with_a_control_character_is_refused_on_every_route(client, bodies, path, control):
    body, _ = bodies[path]
    before = state(client)
    answer = post(client, path, json.dumps(body | {"email": f"car{control}la@example.com"}).encode())
    assert (answer.status, answer.body["error"]) == (422, "invalid_request"), answer.body
    assert answer.body["message"].startswith("email:")
    assert f"U+{ord(control[0]):04X}" in answer.body["message"]
    assert state(client) == before


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("address", ["\x00carla@example.com", "carla@example.com\n", "carla@example.com\x00"])
def test_a_control_character_at_either_end_of_an_email_is_refused_too(client, bodies, path, address):
    body, _ = bodies[path]
    answer = post(client, path, json.dumps(body | {"email": address}).encode())
    assert (answer.status, answer.body["error"]) == (422, "invalid_request"), answer.body


def test_an_internationalised_domain_is_taken_and_normalised(client):
    first = client.enrol("anna@bücher.example", campaign="instant")
    assert first.status == 201, first.body
    # the same mailbox, written the other ways round, is the same referrer
    assert client.enrol("anna@BÜCHER.example", campaign="instant").body["code"] == first.body["code"]
    assert client.enrol("anna@xn--bcher-kva.example", campaign="instant").body["code"] == first.body["code"]
    assert [m["to"] for m in client.outbox()] == [["anna@xn--bcher-kva.example"]]


@pytest.mark.parametrize("path", ROUTES)
def test_an_internationalised_domain_is_taken_on_every_route(client, bodies, path):
    body, status = bodies[path]
    answer = post(client, path, json.dumps(body | {"email": "chiara@täst.example"}).encode())
    assert answer.status == status, answer.body


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
