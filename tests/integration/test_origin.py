"""The API answers only through CloudFront: a request to the API's own endpoint, which anyone
can find, is refused before anything runs, whatever it claims about itself. The click
function's URL is closed the same way by another lock: IAM auth that only the distribution's
origin access control passes. The API routes' own refusal is tested on fakes
(tests/unit/http/test_origin.py); here, what needs the real adapters."""

import pytest

from passaparola import wiring
from tests.support import dynamodb_calls, items_under

pytestmark = pytest.mark.integration


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
