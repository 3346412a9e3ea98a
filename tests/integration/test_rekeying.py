"""The upgrade from the release that keyed people by the bare SHA-256 of their mailbox: a
table written as that release wrote it (the same flows, with its keys) is re-keyed by
`passaparola migrate-keys`, and nothing is lost, nothing counted twice, and every person is
found again by their address, their old links included."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain import emails
from passaparola.domain.tokens import ONE_CLICK, OptOut
from passaparola.storage.rekeying import REKEYED, rekeyed
from tests.integration.test_my_data import ANNA, BEA, FORM, MARCO, NINA, _anna, _bearer, _data_link
from tests.support import items_under, person_key, table_items

pytestmark = pytest.mark.integration

PEOPLE = (ANNA, BEA, MARCO, NINA)


class PreviousKeys:
    """How the previous release keyed a person: the bare digest, and no other kind of key."""

    @staticmethod
    def of(address: str) -> str:
        return hashlib.sha256(emails.identity(address).encode()).hexdigest()[:32]

    @staticmethod
    def current(key: str) -> str:
        return key


def _counters(items: list[dict[str, Any]]) -> list[str]:
    counted = [i for i in items if i["pk"].startswith("STATS#") or i["sk"] == "CODE"]
    return sorted(json.dumps(i, sort_keys=True, default=str) for i in counted)


def test_a_table_of_the_previous_release_is_rekeyed_with_nothing_lost_or_counted_twice(
    client, clock, monkeypatch
):
    with monkeypatch.context() as previous:
        previous.setattr(wiring, "person_keys", PreviousKeys)
        wiring.reset()
        code = _anna(client, clock)
        client.run_rollup()
        old_link = wiring.unsubscribe_tokens().issue(OptOut(PreviousKeys.of(ANNA), "instant"))
        old_data_link = wiring.data_tokens().issue(PreviousKeys.of(MARCO), clock())
    wiring.reset()
    before = table_items(client.stack)
    old_keys = {PreviousKeys.of(p) for p in PEOPLE}
    assert any(k in json.dumps(before, default=str) for k in old_keys)

    migration = wiring.rekeying(client.stack.ref("Table"), client.stack.ref("FraudPepperSecret"))
    done = migration.run()

    after = table_items(client.stack)
    assert done.conflicts == 0 and done.moved and done.updated
    text = json.dumps(after, default=str)
    assert not [k for k in old_keys if k in text]  # no bare digest of anyone is left
    # Nothing lost: every item is there, under its new key, as it was otherwise.
    current = wiring.person_keys().current
    expected = sorted(json.dumps(rekeyed(i, current), sort_keys=True, default=str) for i in before)
    found = sorted(
        json.dumps({n: v for n, v in i.items() if n != REKEYED}, sort_keys=True, default=str) for i in after
    )
    assert found == expected
    # The stream saw every move, and the counters take none of them for news.
    counted = _counters(after)
    client.run_rollup()
    assert _counters(table_items(client.stack)) == counted

    # A second pass finds nothing to do.
    again = migration.run()
    assert (again.moved, again.updated, again.conflicts) == (0, 0, 0)

    # Everyone is found again by their address, and their links still work.
    assert client.enrol(ANNA, campaign="lifecycle").body["code"] == code
    beas = client.enrol(BEA, campaign="instant", name="Bea").body["code"]
    (claim,) = items_under(client.stack, f"FRIEND#{person_key(ANNA)}", "CLAIM#")
    assert (claim["code"], client.claim(beas, ANNA).body["claim_id"]) == (beas, claim["claim_id"])
    exported = client.call("GET", "/me", headers=_bearer(_data_link(client))).body
    assert [c["code"] for c in exported["items"]["referral_codes"]] == [code]
    assert {r["reward_id"] for r in exported["items"]["rewards"]} == {"order-m-1", "order-n-1"}
    assert client.call("GET", "/me", headers=_bearer(old_data_link)).body["addresses"] == [MARCO]
    one_click = client.call("POST", f"/unsubscribe/{old_link}", raw=ONE_CLICK.encode(), headers=FORM)
    assert one_click.status == 200, one_click.body
    (opt_out,) = items_under(client.stack, f"OPTOUT#{person_key(ANNA)}")
    assert set(opt_out["campaigns"]) == {"lifecycle", "instant"}
