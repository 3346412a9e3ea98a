import json

import pytest

from passaparola.storage import aws
from tests.support import dynamodb_calls, items_under

pytestmark = pytest.mark.integration


@pytest.fixture
def code(client):
    return client.enrol("anna.rossi@gmail.com", campaign="gift", name="Anna").body["code"]


def set_code(client, code, **values):
    aws.client("dynamodb").update_item(
        TableName=client.stack.ref("Table"),
        Key={"pk": {"S": f"CODE#{code}"}, "sk": {"S": "CODE"}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
        ExpressionAttributeNames={f"#{k}": k for k in values},
        ExpressionAttributeValues={
            f":{k}": {"N" if isinstance(v, int) else "S": str(v)} for k, v in values.items()
        },
    )


def test_a_valid_code_names_the_referrer_and_the_offer(client, code):
    answer = client.call("GET", f"/codes/{code}")
    assert answer.status == 200
    assert answer.body == {
        "valid": True,
        "campaign": "gift",
        "referrer": {"display_name": "Anna"},
        "offer": {"type": "coupon_percent", "percent": "10", "text": "10% off"},
    }
    assert answer.headers["cache-control"] == "no-store"


def test_the_offer_text_follows_the_language_asked_for(client, code):
    assert client.call("GET", f"/codes/{code}", query="lang=it").body["offer"]["text"] == "10% di sconto"


def test_validating_a_code_is_one_read_after_counting_the_look_up(client, code):
    client.call("GET", f"/codes/{code}")
    with dynamodb_calls() as calls:
        client.call("GET", f"/codes/{code}")
    assert calls == ["UpdateItem", "GetItem"]  # the client's rate-limit counter, then the code
    with dynamodb_calls() as calls:
        answer = client.call("GET", "/codes/not-even-a-code")
    assert (answer.status, calls) == (404, ["UpdateItem"])


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/codes/GIFT-BCDFGHJKM", "unknown"), ("/codes/NOPE-BCDFGHJKM", "unknown"), ("/codes/x", "unknown")],
)
def test_unknown_codes(client, path, reason):
    answer = client.call("GET", path)
    assert answer.status == 404
    assert answer.body["valid"] is False
    assert answer.body["reason"] == reason
    assert answer.body["error"] == "invalid_code"
    assert answer.body["message"]


def test_inactive_and_capped_codes_say_why(client, code):
    set_code(client, code, qualified=3)
    assert client.call("GET", f"/codes/{code}").body["reason"] == "cap_reached"
    set_code(client, code, status="banned")
    assert client.call("GET", f"/codes/{code}").body["reason"] == "inactive"


def test_an_expired_campaign_says_expired(client, code):
    ended = "ENDED-BCDFGHJKM"
    aws.client("dynamodb").put_item(
        TableName=client.stack.ref("Table"),
        Item={
            "pk": {"S": f"CODE#{ended}"},
            "sk": {"S": "CODE"},
            "code": {"S": ended},
            "campaign": {"S": "ended"},
            "email": {"S": "anna@example.com"},
            "email_key": {"S": "anna-key"},
            "lang": {"S": "en"},
            "created_at": {"S": "2020-01-01T00:00:00.000000+00:00"},
            "status": {"S": "active"},
        },
    )
    assert client.call("GET", f"/codes/{ended}").body["reason"] == "expired"


def test_no_code_answer_ever_carries_an_email(client, code):
    bodies = [
        client.call("GET", f"/codes/{code}").body,
        client.call("GET", f"/codes/{code}", query="lang=it").body,
        client.call("GET", "/codes/GIFT-BCDFGHJKM").body,
    ]
    set_code(client, code, status="banned")
    bodies.append(client.call("GET", f"/codes/{code}").body)
    for body in bodies:
        text = json.dumps(body)
        assert "@" not in text
        assert "anna.rossi" not in text


def test_claiming_issues_the_friends_coupon_at_once(client, code):
    answer = client.claim(code, "Marco@example.com")
    assert answer.status == 201
    reward = answer.body["friend_reward"]
    assert reward["status"] == "issued"
    assert reward["kind"] == "coupon_percent"
    assert reward["coupon_code"].startswith("GIFT-")
    assert reward["description"] == "10% off"
    mails = [m for m in client.outbox() if m["to"] == ["marco@example.com"]]
    assert len(mails) == 1
    assert reward["coupon_code"] in mails[0]["text"]
    (claim,) = items_under(client.stack, "FRIEND#", "CLAIM#")
    assert claim["code"] == code


def test_claiming_again_keeps_the_one_claim_and_its_one_reward(client, code):
    first = client.claim(code, "marco.bianchi@gmail.com")
    again = client.claim(code, "MarcoBianchi+x@googlemail.com")
    assert again.body["claim_id"] == first.body["claim_id"]
    assert len(items_under(client.stack, "FRIEND#", "CLAIM#")) == 1
    assert len(items_under(client.stack, "FRIEND#", "REWARD#")) == 1
    assert len([m for m in client.outbox() if "marco" in m["to"][0]]) == 1  # within the hour: no resend


@pytest.mark.parametrize(
    "email", ["anna.rossi@gmail.com", "AnnaRossi+friend@gmail.com", "a.n.n.a.r.o.s.s.i@googlemail.com"]
)
def test_self_referral_is_refused(client, code, email):
    answer = client.claim(code, email)
    assert answer.status == 422
    assert answer.body["error"] == "self_referral"
    assert items_under(client.stack, "FRIEND#") == []


def test_a_disposable_address_cannot_claim(client, code):
    answer = client.claim(code, "marco@mailinator.com")
    assert (answer.status, answer.body["error"]) == (422, "disposable_email")


def test_an_invalid_code_cannot_be_claimed(client, code):
    set_code(client, code, status="banned")
    answer = client.claim(code, "marco@example.com")
    assert (answer.status, answer.body["error"], answer.body["reason"]) == (422, "invalid_code", "inactive")
    assert items_under(client.stack, "FRIEND#") == []


def test_claiming_with_a_reward_on_claim_campaign_queues_the_referrer_reward_within_the_cap(client):
    code = client.enrol("anna@example.com", campaign="signup").body["code"]
    for friend in ("b@example.com", "c@example.com"):
        assert client.claim(code, friend).status == 201
    third = client.claim(code, "d@example.com")
    assert (third.status, third.body["reason"]) == (422, "cap_reached")
    client.run_worker()
    rewards = items_under(client.stack, f"CODE#{code}", "REWARD#")
    assert sorted(r["status"] for r in rewards) == ["issued", "issued"]
    assert {r["kind"] for r in rewards} == {"quota"}


def test_a_friends_coupon_is_not_a_referral_code_to_look_up(client, code):
    """The landing page looks up referral codes; a coupon is the friend's, not for sharing, so
    its look-up reads nothing and answers unknown, as for any string that is not a code."""
    client.claim(code, "marco@example.com")
    (issued,) = items_under(client.stack, "COUPON#")
    with dynamodb_calls() as calls:
        answer = client.call("GET", f"/codes/{issued['pk'].removeprefix('COUPON#')}")
    assert (answer.status, answer.body["reason"], calls) == (404, "unknown", ["UpdateItem"])
