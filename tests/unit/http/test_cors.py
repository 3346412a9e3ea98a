"""CORS for the invite panel on shops' pages (/widget.js): POST /referrers, preflight
included, answers a browser on an origin the brand files list (the test brand lists
https://shop.test), and no other origin, route or method. The HTTP layer alone, on fakes."""

import pytest

from tests.support import SITE

pytestmark = pytest.mark.unit

SHOP = "https://shop.test"
ELSEWHERE = "https://evil.example"
ENROL = {"campaign": "gift", "email": "anna@example.com"}


def preflight(client, origin, method="POST", path="/referrers"):
    headers = {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "content-type",
    }
    return client.call("OPTIONS", path, headers=headers)


def test_a_listed_shop_origin_may_post_an_enrolment_from_a_browser(client):
    answer = preflight(client, SHOP)
    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert answer.headers["access-control-allow-headers"] == "content-type"
    assert answer.headers["vary"] == "Origin"
    enrolled = client.call("POST", "/referrers", ENROL, headers={"origin": SHOP})
    assert enrolled.status == 201
    assert enrolled.headers["access-control-allow-origin"] == SHOP
    assert enrolled.headers["vary"] == "Origin"


def test_an_origin_on_no_list_gets_no_cors_header_and_its_preflight_writes_nothing(client):
    before = client.state()
    refused = preflight(client, ELSEWHERE)
    assert (refused.status, refused.body["error"]) == (403, "forbidden")
    assert "access-control-allow-origin" not in refused.headers
    assert refused.headers["vary"] == "Origin"
    assert client.built == []  # no service, so no store, was even handed to the preflight
    assert client.state() == before
    # Nor does the POST a browser on that page sends without a preflight: refused, unread.
    answer = client.call("POST", "/referrers", ENROL, headers={"origin": ELSEWHERE})
    assert (answer.status, answer.body["error"]) == (403, "forbidden")
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers["vary"] == "Origin"
    assert client.state() == before


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.test.evil.example",
        "https://evil.example/https://shop.test",
        "http://shop.test",
        "https://shop.test:8443",
        "null",
        "*",
        "",
    ],
)
def test_an_origin_only_like_a_listed_one_is_refused(client, origin):
    answer = preflight(client, origin)
    assert answer.status == 403
    assert "access-control-allow-origin" not in answer.headers


def test_the_sites_own_origin_needs_and_gets_no_cors(client):
    assert preflight(client, SITE).status == 403
    assert "access-control-allow-origin" not in client.call("POST", "/referrers", ENROL).headers


@pytest.mark.parametrize("method", ["DELETE", "PUT", "GET"])
def test_a_listed_origin_may_ask_only_for_the_panels_method(client, method):
    answer = preflight(client, SHOP, method)
    assert answer.status == 403
    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/claims", {"code": "GIFT-BCDFGHJKM", "email": "bob@example.com"}),
        ("GET", "/codes/GIFT-BCDFGHJKM", None),
    ],
)
def test_routes_the_panel_does_not_use_answer_no_shop_origin(client, method, path, body):
    assert preflight(client, SHOP, method, path).status == 404  # no such route
    answer = client.call(method, path, body, headers={"origin": SHOP})
    assert "access-control-allow-origin" not in answer.headers


def test_the_panel_can_read_why_an_enrolment_was_refused(client):
    """Errors carry CORS too, those answered before any route runs included, or the panel
    could only say "network error"."""
    headers = {"origin": SHOP}
    bad_email = client.call("POST", "/referrers", {"campaign": "gift", "email": "nope"}, headers=headers)
    wrong_type = client.call(
        "POST", "/referrers", raw=b"campaign=gift", headers=headers | {"content-type": "text/plain"}
    )
    assert (bad_email.status, wrong_type.status) == (422, 415)
    for answer in (bad_email, wrong_type):
        assert answer.headers["access-control-allow-origin"] == SHOP
