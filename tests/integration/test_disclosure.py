"""Claims and enrolment, tried as an attacker who knows someone's email address: no coupon
but one's own, and no answer that tells whether an address is known."""

import json

import pytest

pytestmark = pytest.mark.integration

FRIEND_REWARD_FIELDS = {"kind", "description", "status", "value", "currency", "coupon_code"}


@pytest.fixture
def codes(client):
    """Two referrers' public codes in one campaign (a coupon for the friend, at once)."""
    return [
        client.enrol(email, campaign="gift").body["code"] for email in ("anna@example.com", "bea@example.com")
    ]


def mails_to(client, address):
    return [m for m in client.outbox() if m["to"] == [address]]


def test_a_stranger_who_knows_a_friends_email_does_not_get_the_friends_coupon(client, codes):
    coupon = client.claim(codes[0], "marco@example.com").body["friend_reward"]["coupon_code"]
    assert coupon
    for code in codes:  # the code the friend used, and any other public code of the campaign
        stolen = client.claim(code, "marco@example.com")
        assert stolen.status == 201
        assert stolen.body["friend_reward"]["coupon_code"] is None
        assert coupon not in json.dumps(stolen.body)


def test_a_claim_with_a_known_address_answers_as_a_claim_with_a_new_one(client, codes):
    new = client.call("POST", "/claims", {"code": codes[0], "email": "marco@example.com", "locale": "it"})
    known = client.claim(codes[1], "marco@example.com")
    fresh = client.claim(codes[1], "nora@example.com")
    assert new.status == known.status == fresh.status == 201
    assert set(known.body) == set(fresh.body) == {"claim_id", "campaign", "friend_reward"}
    assert set(known.body["friend_reward"]) == set(fresh.body["friend_reward"]) == FRIEND_REWARD_FIELDS
    # Not even the first claim's language (Italian) or its time shows through.
    assert (
        known.body["friend_reward"]["description"] == fresh.body["friend_reward"]["description"] == "10% off"
    )
    assert new.body["friend_reward"]["description"] == "10% di sconto"


def test_a_repeat_claim_emails_the_coupon_to_the_address_that_claimed_at_most_once_an_hour(
    client, codes, clock
):
    coupon = client.claim(codes[0], "marco.bianchi@gmail.com").body["friend_reward"]["coupon_code"]
    assert len(mails_to(client, "marco.bianchi@gmail.com")) == 1  # the first claim's email
    client.claim(codes[1], "marco.bianchi@gmail.com")
    assert len(mails_to(client, "marco.bianchi@gmail.com")) == 1  # within the hour of that email
    clock.advance(minutes=61)
    for _ in range(3):  # the same mailbox, written another way
        assert client.claim(codes[1], "MarcoBianchi+x@googlemail.com").status == 201
    resent = mails_to(client, "marco.bianchi@gmail.com")
    assert len(resent) == 2
    assert coupon in resent[-1]["text"]
    assert mails_to(client, "marcobianchi+x@googlemail.com") == []  # never to the address typed
    clock.advance(minutes=61)
    client.claim(codes[0], "marco.bianchi@gmail.com")
    assert len(mails_to(client, "marco.bianchi@gmail.com")) == 3


def test_enrolling_a_known_address_answers_as_enrolling_a_new_one(client):
    new = client.enrol("anna@example.com", campaign="gift")
    known = client.enrol("anna@example.com", campaign="gift")
    assert (new.status, known.status) == (201, 201)
    assert known.body == new.body
