"""Odd input a route takes, sent as a sloppy client would: media types in any case, nesting
up to the limit, amounts in plain digits, internationalised domains. Each is answered as
usual, through the real adapters (an order's idempotency record among them); and an order's
amount and currency, checked once its idempotency record is taken. What the HTTP layer
refuses before any route runs is tested on fakes, in tests/unit/http/test_malformed_input.py."""

import json

import pytest

from passaparola.api.errors import MAX_DEPTH
from tests.odd_input import ORDER, ROUTES, good_bodies, post
from tests.support import items_under

pytestmark = pytest.mark.integration


def state(client):
    """What a request could have written: items (but idempotency records), queued messages, mail."""
    from passaparola.storage import aws

    items = [i for i in items_under(client.stack, "") if not i["pk"].startswith("IDEMPOTENCY#")]
    queue = aws.client("sqs").get_queue_attributes(
        QueueUrl=client.stack.ref("RewardQueue"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return items, queue["Attributes"]["ApproximateNumberOfMessages"], len(client.outbox())


@pytest.fixture
def bodies(client):
    """A good body for each public POST route, and the status it earns."""
    return good_bodies(client)


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
def test_nesting_up_to_the_limit_is_parsed_and_answered_as_usual(client, bodies, path):
    body, status = bodies[path]
    deep = [[]]
    for _ in range(MAX_DEPTH - 3):
        deep = [deep]
    # brackets inside strings are text, not nesting
    answer = post(client, path, json.dumps(body | {"extra": deep, "note": "[" * 100}).encode())
    assert answer.status == status, answer.body


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
