"""The local stack's Lambda events are shaped as AWS shapes them."""

import pytest

from passaparola_localstack.events import function_url_event, http_event

pytestmark = pytest.mark.unit


def test_a_query_parameter_given_twice_is_joined_with_a_comma_as_payload_two_does():
    # What API Gateway's HTTP API and function URLs hand a function for ?a=1&a=2: "1,2". A
    # handler tested on the last value alone would accept a second, empty one after a bad one.
    event = http_event("GET", "/reviews", route_key="GET /reviews", query="cursor=%C3%B4&cursor=&limit=17")
    assert event["queryStringParameters"] == {"cursor": "ô,", "limit": "17"}
    assert function_url_event("GET", "/r/X", query="ref=a&ref=b")["queryStringParameters"] == {"ref": "a,b"}
