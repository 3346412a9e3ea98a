"""The API answers only through CloudFront: a request to the API's own endpoint, which anyone
can find, is refused before anything runs, whatever it claims about itself. The HTTP layer
alone, on fakes; the click function's URL, closed by IAM auth, is tested on moto
(tests/integration/test_origin.py)."""

import pytest

from passaparola_localstack import template as local_template

pytestmark = pytest.mark.unit

ROUTES = [
    (route.method, route.path.replace("{code}", "GIFT-BCDFGHJKM"))
    for route in local_template.routes(local_template.load())
]
BODY = {"campaign": "gift", "email": "anna@example.com", "code": "GIFT-BCDFGHJKM", "order_id": "1"}


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("origin_header", [None, "guessed"], ids=["no header", "a guessed header"])
def test_a_request_that_skips_cloudfront_is_refused_before_anything_runs(client, method, path, origin_header):
    headers = {"x-origin-verify": origin_header} if origin_header else {}
    before = client.state()
    answer = client.call(
        method, path, BODY if method == "POST" else None, headers=headers, via_cloudfront=False
    )
    assert (answer.status, answer.body["error"]) == (403, "forbidden")
    assert answer.body["message"]
    assert client.built == []  # no service, so no store, was handed to any route
    assert client.state() == before


def test_the_origin_header_is_dropped_once_checked(client):
    """So no route, log line or error message can repeat it."""
    from passaparola.api import origin

    event = {"headers": client.gateway.origin_headers | {"user-agent": "x"}}
    assert origin.refuse_direct(event) is None
    assert event["headers"] == {"user-agent": "x"}
