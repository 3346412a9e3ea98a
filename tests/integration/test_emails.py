"""The email the functions hand SES, read back raw from moto, and one-click unsubscribe (RFC 8058)
through the API: which email carries it, what unsubscribing stops and what it does not."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage

import pytest

from tests.support import API, SENDER, SITE, Client, items_under, person_key, table_items

pytestmark = pytest.mark.integration

ANNA, MARCO, NINA = "anna@example.com", "marco@example.com", "nina@example.com"
FORM = {"content-type": "application/x-www-form-urlencoded"}
ONE_CLICK = b"List-Unsubscribe=One-Click"


def raw_sent() -> list[EmailMessage]:
    """What SES was given, parsed with the standard library alone."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    parsed = []
    for sent in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages:
        message = message_from_string(sent.raw_data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        parsed.append(message)
    return parsed


def to(address: str) -> list[EmailMessage]:
    return [message for message in raw_sent() if message["To"] == address]


def referral(
    client: Client, friend: str, order: str, *, campaign: str = "instant", locale: str = "en"
) -> str:
    """Anna (enrolled once) refers `friend`, who orders; the worker issues both rewards."""
    body = {"campaign": campaign, "email": ANNA, "name": "Anna", "locale": locale}
    code = client.call("POST", "/referrers", body).body["code"]
    assert client.claim(code, friend).status == 201
    assert client.convert(order, friend).body["status"] == "queued"
    client.run_worker()
    return code


def one_click_url(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<") and header.endswith(">"), header
    return header[1:-1]


def test_every_email_is_multipart_alternative_text_then_html_from_the_brand(client):
    referral(client, MARCO, "1")
    for message in raw_sent():
        assert message.get_content_type() == "multipart/alternative"
        text, html = message.iter_parts()
        assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
        assert text.get_content_charset() == html.get_content_charset() == "utf-8"
        assert message["From"] == f"Test Shop <{SENDER}>"
        assert message["Reply-To"] == "help@shop.test"
        assert message["Content-Language"] == "en"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Date"]
        assert '<html lang="en" dir="ltr">' in html.get_content()
    assert len(raw_sent()) == 4  # Anna's welcome, Marco's coupon, Anna told of it, Anna's free month


def test_only_the_email_days_after_anything_the_person_did_carries_one_click_unsubscribe(client):
    referral(client, MARCO, "1")
    welcome, claimed, reward = to(ANNA)
    (coupon,) = to(MARCO)
    for direct in (welcome, coupon):
        assert "List-Unsubscribe" not in direct and "List-Unsubscribe-Post" not in direct
    assert one_click_url(claimed).startswith(f"{API}/unsubscribe/instant.{person_key(ANNA)}.")
    assert one_click_url(reward).startswith(f"{API}/unsubscribe/instant.{person_key(ANNA)}.")
    assert reward["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = reward.get_body(("plain",))
    assert text is not None and f"{SITE}/en/unsubscribe/#t=instant." in text.get_content()


def test_one_click_unsubscribe_stops_reward_emails_and_keeps_the_direct_answers(client, clock):
    referral(client, MARCO, "1")
    url = one_click_url(to(ANNA)[-1])
    answer = client.call("POST", url.removeprefix(API), raw=ONE_CLICK, headers=FORM)
    assert (answer.status, answer.body) == (200, {"unsubscribed": True, "campaign": "instant"})

    (opt_out,) = items_under(client.stack, "OPTOUT#")
    assert opt_out["pk"] == f"OPTOUT#{person_key(ANNA)}"
    assert opt_out["campaigns"] == {"instant"}
    assert "anna" not in repr(opt_out).lower()  # the address's key, never the address

    referral(client, NINA, "2")  # a second friend orders: the reward is issued, not emailed
    assert [m["Subject"] for m in to(ANNA)].count("Your reward from Test Shop: 1 free month") == 1
    rewards = {r["reward_id"]: r for r in items_under(client.stack, "CODE#", "REWARD#")}
    assert rewards["order-2"]["status"] == "issued"
    assert len(to(NINA)) == 1  # the friend's coupon answers the friend's claim
    clock.advance(days=1, minutes=1)
    client.enrol(ANNA, campaign="instant")  # asking for the link again is answered
    assert to(ANNA)[-1]["Subject"] == "Your referral link for A free month each"


def test_the_form_may_come_as_multipart_form_data_too(client):
    referral(client, MARCO, "1")
    url = one_click_url(to(ANNA)[-1]).removeprefix(API)
    body = (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        b"One-Click\r\n"
        b"--b0undary--\r\n"
    )
    answer = client.call(
        "POST", url, raw=body, headers={"content-type": "multipart/form-data; boundary=b0undary"}
    )
    assert answer.status == 200
    assert len(items_under(client.stack, "OPTOUT#")) == 1


@pytest.mark.parametrize(
    ("headers", "body", "status", "error"),
    [
        (
            {"content-type": "application/json"},
            b'{"List-Unsubscribe": "One-Click"}',
            415,
            "unsupported_media_type",
        ),
        (FORM, b"List-Unsubscribe=One-Click&also=this", 422, "invalid_request"),
        (FORM, b"List-Unsubscribe=Two-Clicks", 422, "invalid_request"),
        (FORM, b"", 422, "invalid_request"),
        (FORM, b"List-Unsubscribe=One-Click" + b" " * 2000, 413, "payload_too_large"),
        ({"content-type": "text/plain"}, b"List-Unsubscribe=One-Click", 415, "unsupported_media_type"),
    ],
)
def test_the_route_takes_rfc_8058s_body_and_no_other(client, headers, body, status, error):
    referral(client, MARCO, "1")
    url = one_click_url(to(ANNA)[-1]).removeprefix(API)
    answer = client.call("POST", url, raw=body, headers=headers)
    assert (answer.status, answer.body["error"]) == (status, error)
    assert items_under(client.stack, "OPTOUT#") == []


def test_a_tampered_token_is_refused_and_unsubscribes_no_one(client):
    referral(client, MARCO, "1")
    campaign, key, mac = one_click_url(to(ANNA)[-1]).rsplit("/", 1)[1].split(".")
    forged = [
        f"{campaign}.{person_key(MARCO)}.{mac}",  # another address
        f"gift.{key}.{mac}",  # another campaign
        f"{campaign}.{key}.{mac[::-1]}",  # a made-up signature
    ]
    for token in forged:
        answer = client.call("POST", f"/unsubscribe/{token}", raw=ONE_CLICK, headers=FORM)
        assert (answer.status, answer.body["error"]) == (401, "invalid_token"), token
    for token in (f"{campaign}.{key}", f"{campaign}.{key}.{mac}.x", f"{campaign}.{key.upper()}.{mac}"):
        answer = client.call("POST", f"/unsubscribe/{token}", raw=ONE_CLICK, headers=FORM)
        assert (answer.status, answer.body["error"]) == (422, "invalid_request"), token  # not a token's shape
    assert items_under(client.stack, "OPTOUT#") == []


def test_a_get_of_the_one_click_url_unsubscribes_no_one(client):
    """Mail scanners and link previews fetch URLs: only the POST may unsubscribe."""
    referral(client, MARCO, "1")
    before = table_items(client.stack)
    answer = client.call("GET", one_click_url(to(ANNA)[-1]).removeprefix(API))
    assert answer.status == 404
    assert items_under(client.stack, "OPTOUT#") == []
    assert len(table_items(client.stack)) == len(before)


def test_the_italian_milestone_email_shows_the_gift_in_the_translations_words(client, clock):
    code = client.call(
        "POST", "/referrers", {"campaign": "gift", "email": ANNA, "name": "Anna", "locale": "it"}
    ).body["code"]
    for n in range(2):
        client.claim(code, f"friend{n}@example.com")
        client.convert(f"o{n}", f"friend{n}@example.com")
    client.run_worker()
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})
    client.run_worker()
    milestone = [m for m in to(ANNA) if "tazza" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in milestone] == ["Il tuo premio da Test Shop: una tazza"]
    text = milestone[0].get_body(("plain",))
    assert text is not None
    assert (
        "Hai già invitato con successo 2 amici, e per questo ricevi un bonus: una tazza."
        in text.get_content()
    )
    assert "mug" not in milestone[0].as_string().lower()
