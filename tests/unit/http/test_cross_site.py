"""No other site's page can make a browser change anything: a body must say it is JSON and be a
JSON object, and the routes browsers call take them only from the site's own pages or a listed
shop's (api/cross_site.py). On fakes: every refusal comes before any route runs."""

import json

import pytest

from passaparola.api import cross_site
from passaparola.api.errors import STATE_CHANGING
from passaparola_localstack import template as local_template
from tests.support import ADMIN, SITE

pytestmark = pytest.mark.unit

ELSEWHERE = "http://127.0.0.1:9"  # another origin, on no list
SHOP = "https://shop.test"  # listed in tests/fixtures/content/brands/test.yaml
# The browser routes that take a JSON body, and one such body each.
BODIES = {
    "/referrers": {"campaign": "instant", "email": "ada@example.com"},
    "/claims": {"code": "ABCD2345", "email": "bob@example.com"},
    "/me/link": {"email": "ada@example.com"},
    "/admin/sign-in": {"email": ADMIN},
    "/admin/sessions": {"token": "t" * 40},
}
# The state-changing routes no browser is checked on, and why (api/cross_site.py says more).
NOT_FROM_BROWSERS = {
    ("POST", "/conversions"): "signed",
    ("POST", "/refunds"): "signed",
    ("POST", "/integrations/stripe"): "signed",
    ("POST", "/integrations/shopify"): "signed",
    ("POST", "/integrations/woocommerce"): "signed",
    ("POST", "/reviews/{conversion_id}"): "signed or admin",
    ("POST", "/rewards/{reward_id}/fulfilment"): "admin",
    ("POST", "/unsubscribe/{token}"): "RFC 8058: a mail client's form, with the emailed token",
}


def send(client, path, raw, headers, method="POST"):
    """A request with exactly these headers: no Content-Type unless given, as a no-cors fetch."""
    answer = client.gateway.http(method, path, headers=headers, body=raw)
    return answer.status, json.loads(answer.body) if answer.body else None


@pytest.mark.parametrize("path", BODIES)
@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ],
    ids=["none", "text", "form", "multipart"],
)
def test_a_body_that_does_not_say_it_is_json_is_415_and_writes_nothing(client, path, content_type):
    before = client.state()
    headers = {} if content_type is None else {"content-type": content_type}
    status, body = send(client, path, json.dumps(BODIES[path]).encode(), headers)
    assert (status, body["error"]) == (415, "unsupported_media_type")
    assert client.state() == before
    assert client.built == []  # refused before any route was handed a service


def test_a_state_changing_request_naming_another_media_type_is_415_even_without_a_body(client):
    status, body = send(client, "/me", None, {"content-type": "text/plain"}, method="DELETE")
    assert (status, body["error"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize("path", [*BODIES, "/conversions"])
@pytest.mark.parametrize("raw", ["[{}]", ' \n[{"email": "a@example.com"}, {}]'])
def test_an_array_body_is_422_and_writes_nothing(client, path, raw):
    before = client.state()
    status, body = send(client, path, raw.encode(), {"content-type": "application/json"})
    assert (status, body["error"]) == (422, "invalid_request")
    assert "JSON object" in body["message"]
    assert client.state() == before


def test_json_is_taken_in_any_case_with_a_charset(client):
    status, body = send(
        client,
        "/referrers",
        json.dumps(BODIES["/referrers"]).encode(),
        {"content-type": "Application/JSON; Charset=UTF-8"},
    )
    assert status == 201, body


@pytest.mark.parametrize("path", BODIES)
@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": ELSEWHERE},
        {"sec-fetch-site": "same-site", "origin": "http://other.site.test"},
        {"origin": ELSEWHERE},  # a browser that sends no Sec-Fetch-Site
        {"origin": "null"},  # a sandboxed frame, a data: URL
        {"sec-fetch-site": "cross-site"},
    ],
    ids=["cross-site", "same-site", "origin-only", "null", "fetch-site-only"],
)
def test_a_browser_on_another_sites_page_is_403_and_nothing_is_written_or_sent(client, path, headers):
    before = client.state()
    status, body = send(
        client, path, json.dumps(BODIES[path]).encode(), {"content-type": "application/json"} | headers
    )
    assert (status, body["error"]) == (403, "forbidden")
    assert body["message"]
    assert client.state() == before
    assert client.built == []


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "origin": SITE},
        {"origin": SITE},
        {"sec-fetch-site": "cross-site", "origin": SHOP},  # the shop's panel
        {},  # no browser: the shop's backend, curl
    ],
    ids=["same-origin", "site-origin", "listed-shop", "no-browser"],
)
def test_the_sites_own_pages_a_listed_shop_and_no_browser_may_enrol(client, headers):
    status, body = send(
        client,
        "/referrers",
        json.dumps(BODIES["/referrers"]).encode(),
        {"content-type": "application/json"} | headers,
    )
    assert status == 201, body


@pytest.mark.parametrize("route", sorted(cross_site.BROWSER_ROUTES))
def test_each_browser_route_lets_its_own_pages_through(client, route):
    method, path = route
    for headers in ({"sec-fetch-site": "same-origin", "origin": SITE}, {"origin": SHOP}, {}):
        event = {"rawPath": path, "requestContext": {"http": {"method": method}}, "headers": headers}
        assert cross_site.refuse_cross_site(event) is None
    event = {
        "rawPath": path,
        "requestContext": {"http": {"method": method}},
        "headers": {"origin": ELSEWHERE},
    }
    assert cross_site.refuse_cross_site(event)["statusCode"] == 403


def test_a_one_click_unsubscribe_from_any_page_is_not_refused_as_cross_site(client):
    """A webmail's page POSTs RFC 8058's form from its own origin: the route reads it (here a
    bad token's 401), never a 403 or a 415."""
    status, body = send(
        client,
        "/unsubscribe/" + "x" * 40,
        b"List-Unsubscribe=One-Click",
        {
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "cross-site",
            "origin": ELSEWHERE,
        },
    )
    assert status not in (403, 415), body


def test_every_state_changing_route_is_checked_as_a_browsers_or_said_why_not(template):
    routes = {
        (route.method, route.path)
        for route in local_template.routes(template)
        if route.method in STATE_CHANGING
    }
    assert routes == set(cross_site.BROWSER_ROUTES) | set(NOT_FROM_BROWSERS)


def test_the_openapi_document_lists_each_new_refusal(client):
    paths = client.call("GET", "/openapi.json").body["paths"]
    for method, path in cross_site.BROWSER_ROUTES:
        assert {"403", "415"} <= set(paths[path][method.lower()]["responses"]), (method, path)
    for method, path in NOT_FROM_BROWSERS:
        if path != "/unsubscribe/{token}":
            assert "415" in paths[path][method.lower()]["responses"], (method, path)
