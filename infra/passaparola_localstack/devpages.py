"""The local-only pages under /_local/: the outbox, a test store that signs its webhooks, and
the store's receiver of the kit's outgoing events (/_local/events/<endpoint>, listed at
/_local/events.json).

Nothing here exists in AWS. The outbox shows the email the functions sent through SES (on
moto), each with its headers, its plain-text part, and its HTML part as a mail client would
show it (in a frame, at /_local/outbox/<id>.html); the test store sends signed order and refund
webhooks with the dev secret, exactly as a shop's backend would, so the whole referral path
can be walked in a browser.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlencode

from passaparola.domain import signatures
from passaparola_localstack.gateway import Gateway
from passaparola_localstack.receiver import PATH as EVENTS_PATH
from passaparola_localstack.receiver import EventReceiver

Answer = tuple[int, dict[str, str], bytes]
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
# An email's HTML part, framed: its inline styles, its images, and no script at all.
_EMAIL_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'self'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_EMAIL_PAGE = re.compile(r"^/_local/outbox/([A-Za-z0-9-]+)\.html$")
_CSS = b"""body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1,h2{line-height:1.2}article{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}
.meta{color:#444;font-size:.9rem}form{display:grid;gap:.5rem;max-width:28rem}label{display:grid}
input,select,button{font:inherit;padding:.4rem}button{cursor:pointer}
.note{background:#eef6ee;padding:.5rem 1rem}
table{border-collapse:collapse;font-size:.85rem}th{white-space:nowrap}td{word-break:break-all}
th,td{text-align:left;vertical-align:top;padding:.15rem .5rem;border-bottom:1px solid #ddd}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.75rem;font-size:.9rem}
iframe{width:100%;height:42rem;border:1px solid #ccc;border-radius:.25rem}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #1a4d8f;outline-offset:2px}"""
_ORDER_FIELDS = (
    "order_id", "email", "amount", "currency", "code", "customer_id", "address", "payment_fingerprint",
)  # fmt: skip
_LINK = re.compile(r'href="([^"]+)"')


class RunningStack(Protocol):
    """What the dev pages and the demo use of a running local stack (serve.LocalStack): they
    talk to it as a browser or a shop would, through its gateway."""

    @property
    def url(self) -> str: ...

    @property
    def webhook_secret(self) -> str: ...

    @property
    def gateway(self) -> Gateway | None: ...

    @property
    def events(self) -> EventReceiver: ...

    def outbox(self) -> list[dict[str, Any]]:
        """The email the functions sent, newest first."""
        ...


def answer(
    local: RunningStack,
    method: str,
    path: str,
    query: str,
    body: bytes | None,
    origin: str | None,
    headers: dict[str, str] | None = None,
) -> Answer:
    if path == "/_local/health":
        return HTTPStatus.OK, {"Content-Type": "text/plain"}, b"ok"
    if path == "/_local/dev.css":
        return HTTPStatus.OK, _HEADERS | {"Content-Type": "text/css"}, _CSS
    shown = _EMAIL_PAGE.match(path)
    if shown:
        mail = next((m for m in local.outbox() if m["id"] == shown[1]), None)
        if mail is None:
            return HTTPStatus.NOT_FOUND, {"Content-Type": "text/plain"}, b"no such email"
        # Links open in the outbox's window, as they would leave a mail client for the browser.
        page = mail["html"].replace("<head>", '<head><base target="_top">', 1)
        return HTTPStatus.OK, _EMAIL_HEADERS | {"Content-Type": "text/html; charset=utf-8"}, page.encode()
    if path == "/_local/outbox.json":
        mails = [m | {"links": [html.unescape(u) for u in _LINK.findall(m["html"])]} for m in local.outbox()]
        return HTTPStatus.OK, _HEADERS | {"Content-Type": "application/json"}, json.dumps(mails).encode()
    if path.startswith(EVENTS_PATH) and method == "POST":
        status, said = local.events.receive(path.removeprefix(EVENTS_PATH), body or b"", headers or {})
        return status, {"Content-Type": "text/plain"}, said
    if path == "/_local/events.json":
        listing = json.dumps(local.events.listing()).encode()
        return HTTPStatus.OK, _HEADERS | {"Content-Type": "application/json"}, listing
    if path == "/_local/store" and method == "POST":
        if origin not in (None, local.url):  # another site's page must not send orders here
            return HTTPStatus.FORBIDDEN, {"Content-Type": "text/plain"}, b"cross-site form refused"
        return _store(local, parse_qs((body or b"").decode()))
    if path in ("/_local/", "/_local/outbox"):
        note = parse_qs(query).get("note", [""])[0]
        return HTTPStatus.OK, _HEADERS | {"Content-Type": "text/html; charset=utf-8"}, _page(local, note)
    return HTTPStatus.NOT_FOUND, {"Content-Type": "text/plain"}, b"no such local page"


def send_signed(local: RunningStack, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    """Sign a webhook with the dev secret and send it through the gateway, as a shop would."""
    assert local.gateway is not None
    raw = json.dumps(payload).encode()
    headers = signatures.sign(raw, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), local.webhook_secret)
    response = local.gateway.http(
        "POST", path, headers=headers | {"content-type": "application/json"}, body=raw
    )
    return response.status, json.loads(response.body or b"null")


def _store(local: RunningStack, form: dict[str, list[str]]) -> Answer:
    field = {name: values[0].strip() for name, values in form.items() if values and values[0].strip()}
    if field.get("kind") == "refund":
        status, result = send_signed(local, "/refunds", {"order_id": field.get("order_id", "")})
    elif field.get("kind") == "review":
        decision = {"decision": field.get("decision", "")}
        status, result = send_signed(local, f"/reviews/{quote(field.get('conversion_id', ''))}", decision)
    else:
        order: dict[str, Any] = {k: field[k] for k in _ORDER_FIELDS if k in field}
        status, result = send_signed(local, "/conversions", order)
    note = f"{status} {json.dumps(result)}"
    return HTTPStatus.SEE_OTHER, {"Location": "/_local/?" + urlencode({"note": note})}, b""


def _email(mail: dict[str, Any]) -> str:
    """One email: who to and the subject, then its headers, its text part and its HTML part."""
    e = html.escape
    headers = "".join(
        f"<tr><th scope=row>{e(name)}</th><td>{e(value)}</td></tr>" for name, value in mail["headers"]
    )
    return (
        f'<article><p class="meta">To {e(", ".join(mail["to"]))}</p><h3>{e(mail["subject"])}</h3>'
        f"<details><summary>Headers</summary><table>{headers}</table></details>"
        f"<details><summary>Plain-text part</summary><pre>{e(mail['text'])}</pre></details>"
        # lazy: a long session's outbox holds hundreds, and the page loads only those in view
        f'<iframe loading="lazy" src="/_local/outbox/{e(mail["id"])}.html" '
        f'title="HTML part: {e(mail["subject"])}" '
        'sandbox="allow-same-origin allow-popups allow-top-navigation-by-user-activation"></iframe></article>'
    )


def _page(local: RunningStack, note: str) -> bytes:
    mails = "".join(_email(m) for m in local.outbox())
    shown = f'<p class="note" role="status">{html.escape(note)}</p>' if note else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>passaparola local</title>
<link rel="stylesheet" href="/_local/dev.css"></head><body>
<h1>passaparola, running locally</h1>
<p>Site: <a href="{local.url}/">{local.url}/</a> &middot; API: {local.url} &middot;
<a href="{local.url}/_local/outbox.json">outbox as JSON</a> &middot;
<a href="{local.url}/_local/events.json">events received, as JSON</a> &middot;
<a href="{local.url}/_local/checkout/">the shop's checkout</a></p>
{shown}
<h2>Test store</h2>
<p>Sends a webhook signed with this stack's dev secret, as your shop's backend would.</p>
<form method="post" action="/_local/store">
<input type="hidden" name="kind" value="conversion">
<label>Order id <input name="order_id" required value="{uuid.uuid4().hex[:8]}"></label>
<label>Buyer's email <input name="email" type="email" required></label>
<label>Amount <input name="amount" inputmode="decimal" required value="49.90"></label>
<label>Currency <input name="currency" required value="EUR" maxlength="3"></label>
<label>Referral code (optional) <input name="code"></label>
<label>Customer id (optional) <input name="customer_id"></label>
<label>Address (optional) <input name="address"></label>
<label>Payment fingerprint (optional) <input name="payment_fingerprint"></label>
<button>Send a paid order</button></form>
<form method="post" action="/_local/store"><input type="hidden" name="kind" value="refund">
<label>Order id <input name="order_id" required></label><button>Refund it</button></form>
<form method="post" action="/_local/store"><input type="hidden" name="kind" value="review">
<label>Conversion id (of an order held for review) <input name="conversion_id" required></label>
<label>Decision <select name="decision"><option>approve</option><option>reject</option></select></label>
<button>Decide</button></form>
<h2>Outbox</h2>{mails or "<p>No email yet.</p>"}
</body></html>"""
    return page.encode()
