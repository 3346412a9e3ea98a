"""The API answers only through CloudFront: a request to the API's own endpoint, which anyone
can find, is refused before anything runs, whatever it claims about itself. The click
function's URL is closed the same way by another lock: IAM auth that only the distribution's
origin access control passes."""

import pytest

from passaparola import wiring
from passaparola_localstack import template as local_template
from tests.support import dynamodb_calls, items_under

pytestmark = pytest.mark.integration

ROUTES = [
    (route.method, route.path.replace("{code}", "GIFT-BCDFGHJKM"))
    for route in local_template.routes(local_template.load())
]
BODY = {"campaign": "gift", "email": "anna@example.com", "code": "GIFT-BCDFGHJKM", "order_id": "1"}


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("origin_header", [None, "guessed"], ids=["no header", "a guessed header"])
def test_a_request_that_skips_cloudfront_is_refused_before_anything_runs(client, method, path, origin_header):
    headers = {"x-origin-verify": origin_header} if origin_header else {}
    with dynamodb_calls() as calls:
        answer = client.call(
            method, path, BODY if method == "POST" else None, headers=headers, via_cloudfront=False
        )
    assert (answer.status, answer.body["error"]) == (403, "forbidden")
    assert answer.body["message"]
    assert calls == []


def test_a_forged_viewer_address_cannot_make_up_visitors(client):
    """Straight to the click function's URL, a script could claim any CloudFront-Viewer-Address
    to be counted as many visitors, and to slip past the per-client limit: the URL's IAM auth
    refuses the unsigned request before the function runs."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    with dynamodb_calls() as calls:
        for n in range(5):
            forged = {"cloudfront-viewer-address": f"198.51.100.{n}:443"}
            answer = client.call("GET", f"/r/{code}", headers=forged, via_cloudfront=False)
            assert (answer.status, answer.body) == (403, {"Message": "Forbidden"})
    assert calls == []
    assert items_under(client.stack, "VISIT#") == []


def test_through_cloudfront_a_viewer_address_the_visitor_sends_is_replaced(client):
    """CloudFront writes CloudFront-Viewer-Address itself: one visitor claiming five addresses
    is one visitor."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    for n in range(5):
        forged = {"cloudfront-viewer-address": f"198.51.100.{n}:443"}
        client.call("GET", f"/r/{code}", headers=forged, source_ip="203.0.113.50")
    assert wiring.click_counter().of_codes([code]) == {code: 1}


def test_the_origin_header_is_dropped_once_checked(client):
    """So no route, log line or error message can repeat it."""
    from passaparola.api import origin

    event = {"headers": client.gateway.origin_headers | {"user-agent": "x"}}
    assert origin.refuse_direct(event) is None
    assert event["headers"] == {"user-agent": "x"}
