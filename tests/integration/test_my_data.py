"""A person's own data, end to end on the local stack: the link, the export, the deletion, and
a scan of the whole table before and after it.

Anna refers in `lifecycle` (Marco's order earns her a credit that is issued, Nina's one still
held when she deletes), is on its leaderboard, is herself a friend in `instant` (Bea's code,
claimed with her name; her coupon is issued, and her order earns Bea's reward) and a buyer
there (asked to join `instant` days after her order: an ask that still holds her address when
she deletes), and unsubscribes from `lifecycle`'s emails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from passaparola.domain.records import Held
from passaparola.domain.vocabulary import NoticeKind
from passaparola.storage.dynamo import Table
from passaparola.storage.personal import KINDS, NOTICES_ABOUT, PersonalStore
from tests.support import API, Client, Clock, items_under, person_key, table_items

pytestmark = pytest.mark.integration

ANNA, NAME = "anna.rossi@example.com", "Anna Rossi"
BEA, MARCO, NINA = "bea@example.com", "marco@example.com", "nina@example.com"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, (list, set, tuple)):
        for inner in value:
            yield from _strings(inner)


def _holding(items: list[dict[str, Any]], *needles: str) -> list[tuple[dict[str, Any], set[str]]]:
    """Each item that holds any of the needles (in any case), with the attributes that do."""
    wanted = [n.casefold() for n in needles]
    found = []
    for item in items:
        names = {
            name
            for name, value in item.items()
            if any(n in s.casefold() for s in _strings(value) for n in wanted)
        }
        if names:
            found.append((item, names))
    return found


def _settle(client: Client) -> None:
    client.run_rollup()
    client.run_worker()
    client.gateway.invoke("ReleaseHeldFunction", {"source": "aws.scheduler"})
    client.run_worker()


def _anna(client: Client, clock: Clock) -> str:
    """Anna, every way the kit can hold her; her code in `lifecycle`."""
    start = len(client.outbox())  # the outbox outlives a test's stack
    enrolled = client.call(
        "POST", "/referrers", {"campaign": "lifecycle", "email": ANNA, "name": NAME, "locale": "it"}
    )
    assert enrolled.status == 201, enrolled.body
    code: str = enrolled.body["code"]
    assert (
        client.call("POST", "/claims", {"code": code, "email": MARCO, "name": "Marco Bianchi"}).status == 201
    )
    bea = client.enrol(BEA, campaign="instant", name="Bea").body["code"]
    # Another spelling of the same mailbox: the kit keys both the same.
    claimed = client.call("POST", "/claims", {"code": bea, "email": "Anna.Rossi@EXAMPLE.com", "name": NAME})
    assert claimed.status == 201, claimed.body
    welcome = next(m for m in client.outbox()[start:] if m["to"] == [ANNA] and "#t=" in m["text"])
    stats_token = re.search(r"#t=([\w.-]+)", welcome["text"])
    assert stats_token
    joined = client.call(
        "PUT", "/referrers/me/leaderboard", {"opt_in": True}, headers=_bearer(stats_token[1])
    )
    assert joined.body["display_name"] == "Anna R."
    _settle(client)
    assert client.convert("m-1", MARCO, "30").status == 202
    _settle(client)
    clock.advance(days=8)  # Marco's order is past its hold: Anna's credit is issued
    _settle(client)
    assert client.convert("a-1", ANNA, "40").status == 202
    sent = client.outbox()[start:]
    reward_email = next(m for m in sent if m["to"] == [ANNA] and "List-Unsubscribe" in dict(m["headers"]))
    one_click = dict(reward_email["headers"])["List-Unsubscribe"].strip().strip("<>").removeprefix(API)
    assert client.call("POST", one_click, raw=b"List-Unsubscribe=One-Click", headers=FORM).status == 200
    assert client.claim(code, NINA).status == 201
    assert client.convert("n-1", NINA, "25").status == 202
    _settle(client)  # Nina's order: Anna's second credit, held for a week
    return code


def _data_link(client: Client, email: str = ANNA) -> str:
    sent = len(client.outbox())
    answer = client.call("POST", "/me/link", {"email": email, "lang": "pl"})
    assert answer.status == 202, answer.body
    client.run_links()
    (mail,) = client.outbox()[sent:]
    found = re.search(r"/pl/my-data/#token=([\w.-]+)", mail["text"])
    assert found, mail["text"]
    return found[1]


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_every_item_that_holds_a_person_is_of_a_listed_kind_in_a_listed_attribute(client, clock):
    _anna(client, clock)
    key = person_key(ANNA)
    held = _holding(table_items(client.stack), ANNA, NAME, key)
    assert held
    for item, names in held:
        kind = next((k for k in KINDS if k.matches(item)), None)
        assert kind is not None, f"{item['pk']} / {item['sk']} holds Anna: add its kind to personal.KINDS"
        assert names <= set(kind.holds), (kind.name, names)
    # Every kind of scheduled email is placed: about an address, a code or an order.
    assert set(NOTICES_ABOUT) == set(NoticeKind.__args__)  # type: ignore[attr-defined]


def test_a_person_exports_then_deletes_and_no_item_holds_their_address_or_name(client, clock):
    code = _anna(client, clock)
    token = _data_link(client)

    exported = client.call("GET", "/me", headers=_bearer(token))
    assert exported.status == 200, exported.body
    assert exported.headers["cache-control"] == "no-store, private"
    items = exported.body["items"]
    assert [c["code"] for c in items["referral_codes"]] == [code]
    rewards = {r["reward_id"]: r["status"] for r in items["rewards"]}
    assert rewards == {"order-m-1": "issued", "order-n-1": "held"}
    assert [c["campaign"] for c in items["claims"]] == ["instant"]
    assert [o["order_id"] for o in items["orders"]] == ["a-1"]
    assert [r["status"] for r in items["friend_rewards"]] == ["issued"]
    assert items["unsubscribes"][0]["campaigns"] == ["lifecycle"]
    (ask,) = [n for n in items["notices"] if n["kind"] == "purchase_ask"]
    assert (ask["campaign"], ask["email"], ask["lang"], ask["order_id"]) == ("instant", ANNA, "en", "a-1")
    # listed under Bea's code as a friend, and the friends listed under her own code
    assert sorted(f.get("name", "") for f in items["listed_friends"]) == ["", "Anna R.", "Marco B."]
    assert [r["reward_id"] for r in items["referrer_rewards"]] == ["order-a-1"]  # Bea's, for Anna's order
    assert ANNA in exported.body["addresses"]
    assert exported.body["fraud_markers"]["email"] == 1
    # In her own words: no table key, and no key of hers or of anyone she referred or was
    # referred by (a friend is the name the stats page shows, and when they claimed).
    shown = json.dumps(exported.body)
    assert all(person_key(person) not in shown for person in (ANNA, BEA, MARCO, NINA))
    assert not {"pk", "sk", "email_key", "friend", "owner", "rewards"} & {
        name for kind in items.values() for item in kind for name in item
    }
    assert {f["code"] for f in items["listed_friends"]} == {code, items["claims"][0]["code"]}

    deleted = client.call("DELETE", "/me", headers=_bearer(token))
    assert deleted.status == 200, deleted.body
    # Kept: two rewards as a referrer, one as a friend, its coupon, her order, her unsubscribe.
    assert deleted.body["kept"] == 6, deleted.body

    after = table_items(client.stack)
    assert _holding(after, ANNA, NAME) == []
    # What is left under her key is only what the list keeps.
    kept = {k.name for k in KINDS if k.after == "kept"}
    for item, _ in _holding(after, person_key(ANNA)):
        assert next(k.name for k in KINDS if k.matches(item)) in kept, item
    rewards = {r["reward_id"]: r for r in items_under(client.stack, f"CODE#{code}", "REWARD#")}
    assert rewards["order-m-1"]["status"] == "issued"
    assert (rewards["order-n-1"]["status"], rewards["order-n-1"]["void_reason"]) == ("void", "erased")
    (order,) = items_under(client.stack, "ORDER#a-1")
    assert (order["amount"], order["currency"]) == (40, "EUR")
    (code_item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    assert code_item["status"] == "erased"
    assert "board_name" not in code_item and "board_pk" not in code_item
    assert items_under(client.stack, f"CODE#{code}", "FRIEND#") == []  # her list goes with her code
    bea = client.call("GET", "/codes/" + items["claims"][0]["code"]).body
    assert bea["valid"] is True  # Bea's code is hers: only Anna's entries under it went
    (beas_reward,) = items_under(client.stack, f"CODE#{items['claims'][0]['code']}", "REWARD#")
    assert (beas_reward["reward_id"], beas_reward.get("friend")) == ("order-a-1", None)
    assert items_under(client.stack, f"CODE#{items['claims'][0]['code']}", "FRIEND#") == []
    assert client.call("GET", f"/codes/{code}").body["valid"] is False

    # The link deleted once: it opens nothing more. A new one shows what is kept.
    assert client.call("DELETE", "/me", headers=_bearer(token)).status == 401
    assert client.call("GET", "/me", headers=_bearer(token)).status == 401
    clock.advance(seconds=1)
    left = client.call("GET", "/me", headers=_bearer(_data_link(client))).body
    assert (set(left["items"]), left["addresses"]) == ({"friend_rewards", "coupons", "unsubscribes"}, [])

    # No old schedule reaches her: a week on, nothing more is sent to the address.
    sent = len(client.outbox())
    clock.advance(days=8)
    _settle(client)
    assert [m for m in client.outbox()[sent:] if m["to"] == [ANNA]] == []


def test_the_link_answers_alike_for_any_address_and_mails_only_one_the_kit_holds(client, clock):
    _anna(client, clock)
    sent = len(client.outbox())
    unknown = client.call("POST", "/me/link", {"email": "nobody@example.com"})
    assert unknown.status == 202
    client.run_links()
    assert client.outbox()[sent:] == []
    known = client.call("POST", "/me/link", {"email": ANNA})
    assert (known.status, known.body, known.headers) == (unknown.status, unknown.body, unknown.headers)
    client.run_links()
    (mail,) = client.outbox()[sent:]
    assert mail["to"] == [ANNA]
    assert "List-Unsubscribe" not in dict(mail["headers"])  # a direct answer, though she unsubscribed


def test_a_referrers_stats_link_shows_their_data_but_does_not_delete_it(client, clock):
    code = _anna(client, clock)
    latest = next(m for m in reversed(client.outbox()) if m["to"] == [ANNA] and "#t=" in m["text"])
    stats_token = re.search(r"#t=([\w.-]+)", latest["text"])
    assert stats_token
    exported = client.call("GET", "/me", headers=_bearer(stats_token[1]))
    assert exported.status == 200, exported.body
    assert [c["code"] for c in exported.body["items"]["referral_codes"]] == [code]
    before = table_items(client.stack)
    assert client.call("DELETE", "/me", headers=_bearer(stats_token[1])).status == 401
    assert table_items(client.stack) == before


def test_a_forged_or_expired_data_link_opens_nothing(client, clock):
    _anna(client, clock)
    token = _data_link(client)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.call("GET", "/me", headers=_bearer(forged)).status == 401
    other = token.replace(person_key(ANNA), person_key(MARCO))
    assert client.call("DELETE", "/me", headers=_bearer(other)).status == 401
    clock.advance(hours=1, seconds=1)
    assert client.call("GET", "/me", headers=_bearer(token)).status == 401
    assert client.call("GET", "/me").status == 401


def test_a_deletion_cut_short_is_finished_by_the_next(client, clock):
    """As if the function died after erasing the codes: the enrolments still lead to them,
    and asking again deletes the rest."""
    code = _anna(client, clock)
    store = PersonalStore(Table(client.stack.ref("Table")))
    found = store.find(person_key(ANNA), ["lifecycle", "instant"])
    store.erase(Held(found.email_key, {"referral_codes": found.of("referral_codes")}), clock())
    assert _holding(table_items(client.stack), ANNA)  # her claim still holds her address
    assert items_under(client.stack, f"NOTICE#referrer_nudge.lifecycle.{code}")  # found by her code

    deleted = client.call("DELETE", "/me", headers=_bearer(_data_link(client)))
    assert deleted.status == 200, deleted.body
    after = table_items(client.stack)
    assert _holding(after, ANNA, NAME) == []
    kept = {k.name for k in KINDS if k.after == "kept"}
    assert {next(k.name for k in KINDS if k.matches(i)) for i, _ in _holding(after, person_key(ANNA))} <= kept
    assert items_under(client.stack, f"NOTICE#referrer_nudge.lifecycle.{code}") == []
