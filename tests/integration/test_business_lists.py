"""The business's lists and chores through the API: who referred whom (paged, CSV), the rewards
to fulfil (once), and the review queue decided by an admin, who is recorded."""

import csv
import io

import pytest

from passaparola.domain.admin import public_reward_id
from passaparola.domain.records import Owner, RewardRef
from tests.support import ADMIN, ADMIN_KEY, person_key

pytestmark = pytest.mark.integration

ELSEWHERE = "198.51.100.9"
HOME = "Via Roma 1, 20100 Milano"


@pytest.fixture
def referred(client, clock):
    """Anna (gift campaign: 10 EUR credit, held 14 days, orders from 20 EUR) refers three
    friends an hour apart: Marco orders 49.90, Luca never orders, Sara orders below the minimum."""
    code = client.enrol("anna@example.com", campaign="gift", name="Anna").body["code"]
    for friend in ("marco@example.com", "luca@example.com", "sara@example.com"):
        assert client.claim(code, friend, source_ip=ELSEWHERE).status == 201
        clock.advance(hours=1)
    clock.advance(hours=5)
    assert client.convert("1001", "marco@example.com", "49.90").body["status"] == "queued"
    assert client.convert("1002", "sara@example.com", "10.00").body["reason"] == "below_minimum"
    client.run_worker()
    return code


def test_referrals_say_who_referred_whom_and_what_came_of_it(client, referred):
    answer = client.admin("GET", "/referrals", query="campaign=gift")
    assert answer.status == 200
    by_friend = {item["friend"]["email"]: item for item in answer.body["items"]}
    assert [i["friend"]["email"] for i in answer.body["items"]] == [
        "sara@example.com",
        "luca@example.com",
        "marco@example.com",
    ]  # fmt: skip  (newest first)
    marco = by_friend["marco@example.com"]
    assert marco["referrer"] == {"code": referred, "display_name": "Anna", "email": "anna@example.com"}
    assert marco["status"] == "ordered"  # its reward is held for the refund window
    assert marco["hours_to_order"] == 8.0
    assert marco["order"]["order_id"] == "1001"
    assert (marco["order"]["amount"], marco["order"]["currency"]) == ("49.90", "EUR")
    assert marco["reward"] == {
        "id": public_reward_id(RewardRef(Owner.referrer(referred), "order-1001")),
        "status": "held",
        "kind": "credit",
        "value": "10.00",
        "currency": "EUR",
    }
    assert by_friend["luca@example.com"]["status"] == "claimed"
    assert by_friend["luca@example.com"]["order"] is None
    assert by_friend["sara@example.com"]["status"] == "claimed"  # refused orders never counted


def test_a_referral_is_rewarded_once_its_reward_is_issued(client, referred, clock):
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    items = client.admin("GET", "/referrals", query="campaign=gift").body["items"]
    assert {i["friend"]["email"]: i["status"] for i in items}["marco@example.com"] == "rewarded"


def test_referrals_come_a_page_at_a_time_with_a_cursor_that_cannot_be_forged(client, referred):
    first = client.admin("GET", "/referrals", query="campaign=gift&limit=2")
    assert len(first.body["items"]) == 2
    cursor = first.body["next_cursor"]
    assert cursor
    second = client.admin("GET", "/referrals", query=f"campaign=gift&limit=2&cursor={cursor}")
    assert [i["friend"]["email"] for i in second.body["items"]] == ["marco@example.com"]
    assert second.body["next_cursor"] is None
    body, mac = cursor.split(".")
    for forged in (body[::-1] + "." + mac, body + ".AAAA", "garbage"):
        refused = client.admin("GET", "/referrals", query=f"campaign=gift&cursor={forged}")
        assert (refused.status, refused.body["error"]) == (422, "invalid_cursor"), forged


def test_referrals_as_csv_parse_with_the_cursor_in_a_header(client, referred):
    answer = client.admin("GET", "/referrals", query="campaign=gift&limit=2", headers={"accept": "text/csv"})
    assert answer.status == 200
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [r["friend_email"] for r in rows] == ["sara@example.com", "luca@example.com"]
    assert rows[0]["referrer_email"] == "anna@example.com"
    assert rows[0]["status"] == "claimed"
    assert answer.headers["next-cursor"]


def test_referrals_of_an_unknown_campaign_are_refused(client):
    answer = client.admin("GET", "/referrals", query="campaign=nope")
    assert (answer.status, answer.body["error"]) == (422, "unknown_campaign")


def test_emails_appear_in_the_referrals_and_in_no_other_list(client, referred, clock):
    clock.advance(days=15)
    client.gateway.invoke("ReleaseHeldFunction", {})
    client.run_worker()
    assert "anna@example.com" in str(client.admin("GET", "/referrals", query="campaign=gift").body)
    for path, query in (("/rewards", ""), ("/reviews", ""), ("/campaigns/gift/report", "")):
        answer = client.admin("GET", path, query=query)
        assert answer.status == 200
        assert "@" not in str(answer.body), path


# --- fulfilment -------------------------------------------------------------------------------


@pytest.fixture
def issued_credit(client):
    """The trial campaign: 5 EUR credit for the referrer, no hold, so it is issued at once."""
    code = client.enrol("anna@example.com", campaign="trial").body["code"]
    assert client.claim(code, "marco@example.com", source_ip=ELSEWHERE).status == 201
    assert client.convert("2001", "marco@example.com").body["status"] == "queued"
    client.run_worker()
    return code


def test_issued_credit_waits_in_the_fulfilment_list_and_coupons_do_not(client, issued_credit):
    answer = client.admin("GET", "/rewards", query="status=issued&fulfilled=false")
    assert answer.status == 200
    (item,) = answer.body["items"]
    assert item["id"] == public_reward_id(RewardRef(Owner.referrer(issued_credit), "order-2001"))
    assert (item["kind"], item["value"], item["currency"], item["status"]) == (
        "credit",
        "5.00",
        "EUR",
        "issued",
    )
    assert item["owner"] == {"kind": "referrer", "code": issued_credit}
    assert item["fulfilment"] is None
    assert client.admin("GET", "/rewards", query="campaign=trial").body["items"] == [item]
    assert client.admin("GET", "/rewards", query="campaign=gift").body["items"] == []


def test_a_reward_is_fulfilled_once_and_a_repeat_answers_the_first(client, issued_credit):
    reward_id = client.admin("GET", "/rewards").body["items"][0]["id"]
    first = client.admin("POST", f"/rewards/{reward_id}/fulfilment", {"reference": "credit note 77"})
    assert first.status == 200
    assert first.body["fulfilment"]["reference"] == "credit note 77"
    assert first.body["fulfilment"]["by"] == f"key:{ADMIN_KEY[:8]}"
    again = client.admin("POST", f"/rewards/{reward_id}/fulfilment", {"reference": "another"})
    assert (again.status, again.body) == (200, first.body)
    assert client.admin("GET", "/rewards").body["items"] == []


@pytest.mark.parametrize("ask", ["coupon", "unknown", "garbage"])
def test_what_cannot_be_fulfilled_is_refused(client, issued_credit, ask):
    friend = person_key("marco@example.com")
    target = {
        "coupon": public_reward_id(RewardRef(Owner.friend(friend), "friend-trial")),
        "unknown": public_reward_id(RewardRef(Owner.referrer(issued_credit), "order-9999")),
        "garbage": "rw_!!",
    }[ask]
    answer = client.admin("POST", f"/rewards/{target}/fulfilment", {"reference": "x"})
    assert (answer.status, answer.body["error"]) == {
        "coupon": (409, "not_fulfillable"),
        "unknown": (404, "not_found"),
        "garbage": (404, "not_found"),
    }[ask]


def test_a_held_reward_cannot_be_fulfilled_before_it_is_issued(client, referred):
    reward = public_reward_id(RewardRef(Owner.referrer(referred), "order-1001"))
    answer = client.admin("POST", f"/rewards/{reward}/fulfilment", {"reference": "early"})
    assert (answer.status, answer.body["error"]) == (409, "not_fulfillable")


# --- reviews ----------------------------------------------------------------------------------


@pytest.fixture
def held_for_review(client):
    """Anna buys through her own link from a second mailbox, shipping to her own address."""
    client.convert("100", "anna@example.com", address=HOME)
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    assert client.claim(code, "anna.second@example.org").status == 201
    answer = client.convert("101", "anna.second@example.org", address=HOME)
    assert answer.body["status"] == "review"
    return answer.body["conversion_id"]


def _session(client):
    client.call("POST", "/admin/sign-in", {"email": ADMIN})
    client.run_links()
    import re

    (token,) = [
        found.group(1)
        for m in client.outbox()
        if m["to"] == [ADMIN] and (found := re.search(r"#signin=([\w-]+)", m["text"]))
    ]
    return client.call("POST", "/admin/sessions", {"token": token}).body["session"]


def test_a_review_waits_in_the_queue_until_an_admin_decides_and_who_is_recorded(client, held_for_review):
    waiting = client.admin("GET", "/reviews", query="status=waiting")
    (item,) = waiting.body["items"]
    assert (item["conversion_id"], item["order_id"], item["reason"]) == (
        held_for_review,
        "101",
        "shared_address",
    )
    decided = client.admin(
        "POST",
        f"/reviews/{held_for_review}",
        {"decision": "reject", "note": "same house"},
        key=_session(client),
    )
    assert decided.status == 200
    assert (decided.body["decision"], decided.body["decided_by"], decided.body["note"]) == (
        "reject",
        ADMIN,
        "same house",
    )
    assert decided.body["rewards"] == [{"id": "order-101", "status": "void"}]
    assert client.admin("GET", "/reviews").body["items"] == []
    later = client.admin("POST", f"/reviews/{held_for_review}", {"decision": "approve"})  # a machine key
    assert (later.body["decision"], later.body["decided_by"]) == ("reject", ADMIN)  # the first stands


def test_a_machine_keys_decision_is_recorded_by_its_first_8_characters(client, held_for_review):
    decided = client.admin("POST", f"/reviews/{held_for_review}", {"decision": "approve"})
    assert (decided.status, decided.body["decided_by"]) == (200, f"key:{ADMIN_KEY[:8]}")
    assert decided.body["rewards"] == [{"id": "order-101", "status": "pending"}]


def test_the_shop_can_still_decide_signed(client, held_for_review):
    decided = client.review(held_for_review, "approve")
    assert (decided.status, decided.body["decided_by"]) == (200, "shop")
