"""Odd input's shared parts: the public POST routes, a good body for each, and requests
built by hand. Used by tests/unit/http/test_malformed_input.py (what the HTTP layer refuses,
on fakes) and tests/integration/test_malformed_input.py (what it takes, on moto)."""

import base64
import json
import uuid
from datetime import UTC, datetime

from passaparola.domain.signatures import sign
from passaparola_localstack.events import http_event
from tests.support import WEBHOOK_SECRET

ORDER = {"order_id": "1001", "email": "marco@example.com", "amount": "49.90", "currency": "EUR"}
ROUTES = ["/referrers", "/claims", "/conversions"]


def post(client, path, raw, content_type="application/json"):
    """A POST as the page or the store sends it; /conversions is signed, as a real store would."""
    headers = {"content-type": content_type}
    if path == "/conversions":
        headers |= sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), WEBHOOK_SECRET)
    return client.call("POST", path, raw=raw, headers=headers)


def good_bodies(client):
    """A good body for each public POST route, and the status it earns."""
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    client.claim(code, "marco@example.com")
    return {
        "/referrers": ({"campaign": "instant", "email": "ada@example.com"}, 201),
        "/claims": ({"code": code, "email": "bob@example.com"}, 201),
        "/conversions": (ORDER, 202),
    }


CONTROLS = ["\x00", "\x07", "\x1b", "\r\nbcc: eve@example.com", "\x7f", "\u0085", "\u200b", "\u202e"]


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
