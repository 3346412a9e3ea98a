"""Only admins reach the business's routes: every attack on the credentials is refused with
the same 401, before anything else of the request is read. The HTTP layer alone, on fakes."""

import re

import pytest

from passaparola_localstack import template as local_template
from tests.support import ADMIN_KEY

pytestmark = pytest.mark.unit

ADMIN_FUNCTIONS = {"AdminReadsFunction", "AdminActionsFunction"}
EXAMPLE = {
    "{slug}": "gift",
    "{reward_id}": "rw_cmVmZXJyZXJ8R0lGVC0xfG9yZGVyLTE",
    "{conversion_id}": "cv_" + "0" * 24,
}


def _admin_routes(stack):
    found = []
    for route in local_template.routes(stack.template):
        if route.function in ADMIN_FUNCTIONS:
            path = route.path
            for placeholder, value in EXAMPLE.items():
                path = path.replace(placeholder, value)
            found.append((route.method, path))
    return found


def test_the_admin_routes_are_the_business_side(client):
    assert sorted(_admin_routes(client.stack)) == sorted(
        [
            ("GET", "/campaigns/gift/report"),
            ("GET", "/referrals"),
            ("GET", "/rewards"),
            ("GET", "/reviews"),
            ("POST", "/rewards/rw_cmVmZXJyZXJ8R0lGVC0xfG9yZGVyLTE/fulfilment"),
            ("POST", f"/reviews/{EXAMPLE['{conversion_id}']}"),
        ]
    )


def _enrolled_stats_token(client):
    client.enrol("anna@example.com", campaign="trial")
    for mail in client.outbox():
        found = re.search(r"#t=([\w.~-]+)", mail.text)
        if found:
            return found.group(1)
    raise AssertionError("no stats link was mailed")


def test_every_admin_route_refuses_every_non_credential(client, clock):
    stats_token = _enrolled_stats_token(client)
    attempts = {
        "none": {},
        "empty bearer": {"authorization": "Bearer "},
        "wrong key": {"authorization": "Bearer ppk_" + "x" * 40},
        "key without scheme": {"authorization": ADMIN_KEY},
        "basic auth": {"authorization": f"Basic {ADMIN_KEY}"},
        "a referrer's stats token": {"authorization": f"Bearer {stats_token}"},
        "a forged session": {"authorization": "Bearer pps_Ym9zc0BzaG9wLnRlc3Q.9999999999.AAAA"},
    }
    for method, path in _admin_routes(client.stack):
        body = {"reference": "x", "decision": "approve"} if method == "POST" else None
        for what, headers in attempts.items():
            answer = client.call(method, path, body, headers=headers, query="limit=oops&from=nope")
            assert (answer.status, answer.body["error"]) == (401, "unauthorized"), (method, path, what)
