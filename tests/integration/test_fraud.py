"""Fraud signals beyond the email address, each hole tried as an attacker would: a referrer
buying through a second mailbox, an existing customer taking a newcomer's offer; and what the
business does about an order held for review."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest

from passaparola.storage import aws, idempotency
from tests.support import dynamodb_calls, items_under, person_key, table_items

pytestmark = pytest.mark.integration

HOME = "Via Roma 1, 20100 Milano"
CARD = "Xt5EWLLDS7FJjR1c"
ELSEWHERE = "198.51.100.9"  # a claim from another network than the referrer's enrolment


def rewards_of(client, code):
    return {r["reward_id"]: r for r in items_under(client.stack, f"CODE#{code}", "REWARD#")}


def code_item(client, code):
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    return item


def order_item(client, order_id):
    (item,) = [o for o in items_under(client.stack, "ORDER#") if o["order_id"] == order_id]
    return item


def queued_messages(client):
    received = aws.client("sqs").receive_message(
        QueueUrl=client.stack.ref("RewardQueue"), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [json.loads(m["Body"]) for m in received.get("Messages", [])]


@pytest.fixture
def second_mailbox(client):
    """Anna, a customer who has ordered before, enrols in the gift campaign (hold 14 days,
    cap 3) and claims her own link with a second mailbox. Returns her code."""
    earlier = client.convert("100", "anna@example.com", address=HOME, payment_fingerprint=CARD)
    assert (earlier.body["status"], earlier.body["reason"]) == ("rejected", "unattributed")
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "anna.second@example.org").status == 201
    client.run_worker()  # the friend's coupon, issued at once
    return code


@pytest.mark.parametrize(
    ("signal", "reason"),
    [
        ({"address": "VIA ROMA 1 - 20100 milano"}, "shared_address"),
        ({"payment_fingerprint": CARD}, "shared_payment"),
    ],
)
def test_a_referrer_buying_through_a_second_mailbox_is_held_for_review(
    client, second_mailbox, signal, reason
):
    answer = client.convert("101", "anna.second@example.org", **signal)
    assert answer.status == 202
    assert (answer.body["status"], answer.body["reason"], answer.body["rewards"]) == ("review", reason, 1)
    assert queued_messages(client) == []
    reward = rewards_of(client, second_mailbox)["order-101"]
    assert reward["status"] == "review"
    assert "due_at" not in reward  # the release schedule never picks it up
    assert code_item(client, second_mailbox)["qualified"] == 1  # the cap slot is taken
    assert (order_item(client, "101")["status"], order_item(client, "101")["reason"]) == ("review", reason)
    assert client.convert("101", "anna.second@example.org", **signal).body == {
        "conversion_id": answer.body["conversion_id"],
        "status": "duplicate",
        "reason": reason,
        "rewards": 0,
    }


def test_an_order_held_for_review_waits_however_long_the_review_takes(client, second_mailbox, clock):
    client.convert("101", "anna.second@example.org", address=HOME)
    clock.advance(days=30)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    assert rewards_of(client, second_mailbox)["order-101"]["status"] == "review"


def test_a_buyer_who_ordered_before_being_referred_gets_nothing(client):
    """Marco has been buying without a referral. He takes Anna's offer for new customers."""
    assert client.convert("1", "marco@example.com").body["reason"] == "unattributed"
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    claimed = client.claim(code, "Marco@Example.com")
    assert_refused_quietly(client, claimed, "marco@example.com")
    ordered = client.convert("2", "marco@example.com", code=code)  # the code typed at checkout
    assert (ordered.body["status"], ordered.body["reason"]) == ("rejected", "existing_customer")
    assert rewards_of(client, code) == {}


def test_a_new_mailbox_on_the_same_shop_account_is_still_an_existing_customer(client):
    client.convert("1", "marco@example.com", customer_id="cus_4417")
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "marco.new@example.org").status == 201  # a claim knows only the email
    ordered = client.convert("2", "marco.new@example.org", customer_id="cus_4417")
    assert (ordered.body["status"], ordered.body["reason"]) == ("rejected", "existing_customer")


def test_a_friend_who_claimed_can_claim_again_after_ordering(client):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "marco@example.com").status == 201
    assert client.convert("1", "marco@example.com").body["status"] == "queued"
    assert client.claim(code, "marco@example.com").status < 300  # a repeat, not an existing customer


def test_a_customer_referred_once_is_an_existing_customer_for_the_next_campaign(client):
    anna = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(anna, "marco@example.com")
    assert client.convert("1", "marco@example.com").body["status"] == "queued"
    bea = client.enrol("bea@example.com", campaign="instant").body["code"]
    refused = client.claim(bea, "marco@example.com")
    assert_refused_quietly(client, refused, "marco@example.com", "instant")


def test_an_existing_customer_is_answered_as_a_repeat_claim_is_and_told_once_an_hour(client, clock):
    """Whether an address has bought from the shop is not for whoever typed it to learn."""
    assert client.convert("1", "marco@example.com").body["reason"] == "unattributed"
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(code, "bea@example.com")
    repeat = client.claim(code, "bea@example.com")  # a friend who claimed before
    refused = client.claim(code, "marco@example.com")  # a customer who never claimed
    assert refused.status == repeat.status == 201
    assert refused.body.keys() == repeat.body.keys()
    assert refused.body["friend_reward"] == repeat.body["friend_reward"]
    for _ in range(3):
        client.claim(code, "marco@example.com")
    assert len(emails_to(client, "marco@example.com")) == 1
    clock.advance(hours=1, seconds=1)
    client.claim(code, "marco@example.com")
    assert len(emails_to(client, "marco@example.com")) == 2


def assert_refused_quietly(client, answer, address, campaign="gift"):
    """A refusal that looks like a repeat claim: 201, no coupon, nothing stored, and the
    address's owner told by email why."""
    assert answer.status == 201
    assert answer.body["friend_reward"]["coupon_code"] is None
    claims = items_under(client.stack, "FRIEND#", f"CLAIM#{campaign}")
    assert address not in [claim["email"] for claim in claims]
    told = emails_to(client, address)
    assert told and "new customers" in told[-1]["text"]


def emails_to(client, address):
    return [m for m in client.outbox() if m["to"] == [address]]


@pytest.mark.parametrize("via", ["claim", "code"])
def test_the_friends_own_repeat_orders_still_pay_a_revenue_share(client, clock, via):
    code = client.enrol("anna@example.com", campaign="share").body["code"]
    if via == "claim":
        assert client.claim(code, "marco@example.com", source_ip=ELSEWHERE).status == 201
    signals = {"customer_id": "cus_9", "address": "Corso Como 5, Milano", "payment_fingerprint": "fp_marco"}
    extra = signals | ({"code": code} if via == "code" else {})
    first = client.convert("1", "marco@example.com", "100", **extra)
    clock.advance(days=40)
    second = client.convert("2", "marco@example.com", "40", **extra)
    assert [first.body["status"], second.body["status"]] == ["queued", "queued"], (first.body, second.body)
    client.run_worker()
    assert sorted(str(r["value"]) for r in rewards_of(client, code).values()) == ["15.00", "6.00"]


def approve_or_reject_setup(client, second_mailbox):
    answer = client.convert("101", "anna.second@example.org", address=HOME)
    assert answer.body["status"] == "review"
    return answer.body["conversion_id"]


def test_an_approved_order_pays_its_reward_once_after_the_usual_hold(client, second_mailbox, clock):
    conversion = approve_or_reject_setup(client, second_mailbox)
    approved = client.review(conversion, "approve")
    assert approved.status == 200
    assert approved.body | {"decided_at": None} == {
        "conversion_id": conversion,
        "order_id": "101",
        "reason": "shared_address",
        "decision": "approve",
        "decided_by": "shop",
        "decided_at": None,
        "note": None,
        "rewards": [{"id": "order-101", "status": "pending"}],
    }
    assert abs(datetime.fromisoformat(approved.body["decided_at"]) - clock.now) < timedelta(seconds=1)
    assert queued_messages(client) == [
        {
            "owner": {"kind": "referrer", "id": second_mailbox},
            "reward_id": "order-101",
            "from_status": "pending",
        }
    ]
    client.run_worker()
    assert rewards_of(client, second_mailbox)["order-101"]["status"] == "held"
    again = client.review(conversion, "approve")  # the shop's retry with a new webhook-id
    assert again.body["decided_at"] == approved.body["decided_at"]
    assert again.body["rewards"] == [{"id": "order-101", "status": "held"}]
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    issued = [r for r in rewards_of(client, second_mailbox).values() if r["status"] == "issued"]
    assert [r["reward_id"] for r in issued] == ["order-101"]
    told = [m for m in client.outbox() if m["to"] == ["anna@example.com"] and "reward" in m["subject"]]
    assert len(told) == 1
    assert order_item(client, "101")["status"] == "queued"


def test_a_rejected_order_voids_its_reward_and_frees_the_slot(client, second_mailbox):
    conversion = approve_or_reject_setup(client, second_mailbox)
    rejected = client.review(conversion, "reject", note="same household, checked by phone")
    assert rejected.status == 200
    assert (rejected.body["decision"], rejected.body["note"]) == (
        "reject",
        "same household, checked by phone",
    )
    assert rejected.body["rewards"] == [{"id": "order-101", "status": "void"}]
    reward = rewards_of(client, second_mailbox)["order-101"]
    assert (reward["status"], reward["void_reason"]) == ("void", "review_rejected")
    assert code_item(client, second_mailbox)["qualified"] == 0
    assert queued_messages(client) == []
    assert (order_item(client, "101")["status"], order_item(client, "101")["reason"]) == (
        "rejected",
        "shared_address",
    )
    (review,) = items_under(client.stack, "REVIEW#")
    assert (review["decision"], review["decided_by"]) == ("reject", "shop")


def test_deciding_twice_answers_the_first_decision(client, second_mailbox):
    conversion = approve_or_reject_setup(client, second_mailbox)
    first = client.review(conversion, "reject")
    second = client.review(conversion, "approve")
    assert second.status == 200
    assert second.body == first.body
    assert rewards_of(client, second_mailbox)["order-101"]["status"] == "void"
    assert queued_messages(client) == []


def test_a_review_delivered_twice_under_one_webhook_id_is_decided_once(client, second_mailbox):
    conversion = approve_or_reject_setup(client, second_mailbox)
    first = client.review(conversion, "approve", msg_id="msg_review_1")
    again = client.review(conversion, "approve", msg_id="msg_review_1")
    assert again.body == first.body
    other = client.review(conversion, "reject", msg_id="msg_review_1")
    assert (other.status, other.body["error"]) == (422, "webhook_id_reused")
    assert len(queued_messages(client)) == 1


@pytest.mark.parametrize("conversion", ["cv_000000000000000000000000", "cv_nothex", "x" * 3000])
def test_a_review_of_an_unknown_conversion_is_not_found(client, conversion):
    answer = client.review(conversion, "approve")
    assert (answer.status, answer.body["error"]) == (404, "not_found")


def test_a_queued_order_has_nothing_to_review(client):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(code, "marco@example.com")
    conversion = client.convert("1", "marco@example.com").body["conversion_id"]
    assert client.review(conversion, "reject").status == 404
    assert rewards_of(client, code)["order-1"]["status"] == "pending"


def test_a_review_needs_the_shops_signature_or_an_admin(client, second_mailbox):
    conversion = approve_or_reject_setup(client, second_mailbox)
    answer = client.call("POST", f"/reviews/{conversion}", {"decision": "approve"})
    assert (answer.status, answer.body["error"]) == (401, "unauthorized")
    forged = client.call(
        "POST",
        f"/reviews/{conversion}",
        {"decision": "approve"},
        headers={"webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
    )
    assert (forged.status, forged.body["error"]) == (401, "invalid_signature")
    assert rewards_of(client, second_mailbox)["order-101"]["status"] == "review"


def test_a_refund_of_an_order_under_review_voids_its_rewards(client, second_mailbox):
    conversion = approve_or_reject_setup(client, second_mailbox)
    refunded = client.signed("/refunds", {"order_id": "101"})
    assert refunded.body["rewards"] == [{"id": "order-101", "status": "void"}]
    assert code_item(client, second_mailbox)["qualified"] == 0
    approved = client.review(conversion, "approve")
    assert approved.body["rewards"] == [{"id": "order-101", "status": "void"}]
    assert queued_messages(client) == []


def test_same_client_is_recorded_in_shadow_and_the_order_is_paid(client):
    """Every request here comes from one address: Anna enrols, her 'friend' claims from the
    same network the same day. By default the rule only watches."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "marco@example.com").status == 201
    (claim,) = items_under(client.stack, "FRIEND#", "CLAIM#")
    assert (claim["shadow"], claim["signals"]) == (["same_client"], ["same_client"])
    answer = client.convert("1", "marco@example.com")
    assert (answer.body["status"], answer.body["reason"]) == ("queued", None)
    assert order_item(client, "1")["shadow"] == ["same_client"]
    assert "shadow" not in answer.body  # what a rule watches is not told to the caller


def test_a_claim_from_another_network_or_day_is_not_the_same_client(client, clock):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(code, "marco@example.com", source_ip=ELSEWHERE)
    clock.advance(days=1)
    client.claim(code, "bea@example.com")
    assert [c.get("signals") for c in items_under(client.stack, "FRIEND#", "CLAIM#")] == [None, None]


def test_same_client_enforced_holds_the_order_for_review(client):
    code = client.enrol("anna@example.com", campaign="trial").body["code"]
    assert client.claim(code, "marco@example.com").status == 201
    client.run_worker()  # the friend's coupon, issued at once
    answer = client.convert("1", "marco@example.com")
    assert (answer.body["status"], answer.body["reason"]) == ("review", "same_client")
    assert queued_messages(client) == []


def test_shadowed_rules_are_recorded_and_not_enforced(client):
    """The trial campaign watches existing_customer and shared_address before enforcing them."""
    client.convert("1", "marco@example.com", address=HOME)
    client.convert("2", "anna@example.com", address="Piazza Duomo 2, Milano")
    code = client.enrol("anna@example.com", campaign="trial").body["code"]
    assert client.claim(code, "marco@example.com", source_ip=ELSEWHERE).status == 201
    (claim,) = items_under(client.stack, "FRIEND#", "CLAIM#")
    assert claim["shadow"] == ["existing_customer"]
    answer = client.convert("3", "marco@example.com", address="Piazza Duomo 2 Milano")
    assert (answer.body["status"], answer.body["reason"]) == ("queued", None)
    assert order_item(client, "3")["shadow"] == ["existing_customer", "shared_address"]
    client.run_worker()
    assert rewards_of(client, code)["order-3"]["status"] == "issued"


def test_a_rule_turned_off_is_neither_enforced_nor_recorded(client):
    code = client.enrol("anna@example.com", campaign="trial").body["code"]  # disposable_email: off
    assert client.claim(code, "marco@mailinator.com", source_ip=ELSEWHERE).status == 201
    (claim,) = items_under(client.stack, "FRIEND#", "CLAIM#")
    assert "shadow" not in claim


def test_markers_never_hold_a_raw_value(client):
    pepper = base64.b64decode(client.stack.secret_values["FraudPepperSecret"])
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(code, "marco@example.com")
    raw = {"customer_id": "cus_4417", "address": HOME, "payment_fingerprint": CARD}
    client.convert("1", "Marco@Example.com", **raw)
    client.convert("2", "stranger@example.com", **raw | {"customer_id": "cus_5"})
    everything = json.dumps(table_items(client.stack), default=str)
    for value in [*raw.values(), "cus_5", "viaroma120100milano"]:
        assert value.lower() not in everything.lower()
    markers = json.dumps(items_under(client.stack, "MARKER#"), default=str)
    for person in ("marco@example.com", "stranger@example.com"):
        # neither the address nor its unkeyed key, which anyone could compute from a guess
        assert person.split("@")[0] not in markers
        assert person_key(person) not in markers
    markers = items_under(client.stack, "MARKER#")
    expected = hmac.new(pepper, b"address:viaroma120100milano", hashlib.sha256).hexdigest()[:32]
    assert f"MARKER#address#{expected}" in {m["pk"] for m in markers}
    assert {m["pk"].split("#")[1] for m in markers} == {"email", "customer_id", "address", "payment"}
    assert len(markers) == 6  # two emails, two customer ids, one address, one card


def test_a_marker_keeps_its_first_sighting_and_lasts_two_years_from_the_last(client, clock):
    client.convert("1", "marco@example.com", address=HOME)
    (first,) = items_under(client.stack, "MARKER#address#")
    clock.advance(days=100)
    client.convert("2", "bea@example.com", address=HOME)
    (later,) = items_under(client.stack, "MARKER#address#")
    assert (later["first_seen_at"], later["first_email"]) == (first["first_seen_at"], first["first_email"])
    assert later["expires_at"] == int((clock.now + timedelta(days=730)).timestamp())


@pytest.fixture
def cold_idempotency():
    """The idempotency layer keeps the DynamoDB client it was built with; rebuild it with the
    client these tests watch, as a cold start would."""
    idempotency.forget()


def test_a_referred_order_makes_as_many_dynamodb_calls_as_before(client, cold_idempotency):
    """The markers are read with the order, in one batch, and written in the order's own
    transaction."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.claim(code, "marco@example.com")
    with dynamodb_calls() as calls:
        answer = client.convert(
            "1", "marco@example.com", customer_id="c1", address=HOME, payment_fingerprint=CARD
        )
    assert answer.body["status"] == "queued"
    assert calls == [
        "PutItem",  # idempotency record, in progress
        "BatchGetItem",  # the order (for a redelivery) and its customer markers
        "Query",  # the buyer's claims and first orders
        "GetItem",  # the referral code
        "TransactWriteItems",  # order, first-order marker, counters, reward, customer markers
        "UpdateItem",  # idempotency record, done
    ]


def test_an_unreferred_order_makes_as_many_dynamodb_calls_as_before(client, cold_idempotency):
    with dynamodb_calls() as calls:
        answer = client.convert("1", "marco@example.com", address=HOME)
    assert answer.body["reason"] == "unattributed"
    assert calls == ["PutItem", "BatchGetItem", "Query", "TransactWriteItems", "UpdateItem"]


def test_same_client_enforced_withholds_a_reward_for_the_claim_itself(client):
    """A campaign that rewards the claim has no order to review: the referrer's reward for a
    claim from their own network that day is not given."""
    code = client.enrol("anna@example.com", campaign="checked").body["code"]
    assert client.claim(code, "marco@example.com").status == 201
    assert rewards_of(client, code) == {}
    assert client.claim(code, "bea@example.com", source_ip=ELSEWHERE).status == 201
    assert [r["role"] for r in rewards_of(client, code).values()] == ["referrer"]
