"""Where the upgrade finds a person's previous key in an item, and what the stream makes of
its moves (the flow itself runs on moto: tests/integration/test_rekeying.py)."""

import pytest

from passaparola.domain.emails import PersonKeys
from passaparola.storage.rekeying import REKEYED, is_rekeying, rekeyed

pytestmark = pytest.mark.unit

OLD, CODE = "0123456789abcdef0123456789abcdef", "SPRING-ABC"
NEW = PersonKeys(b"pepper").current(OLD)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"pk": f"ENROL#spring#{OLD}", "sk": "ENROL"}, {"pk": f"ENROL#spring#{NEW}"}),
        (
            {"pk": f"FRIEND#{OLD}", "sk": "REWARD#r1", "owner": f"FRIEND#{OLD}"},
            {"pk": f"FRIEND#{NEW}", "owner": f"FRIEND#{NEW}"},
        ),
        (
            {"pk": f"CODE#{CODE}", "sk": f"FRIEND#2026-01-02T03:04:05Z#{OLD}"},
            {"sk": f"FRIEND#2026-01-02T03:04:05Z#{NEW}"},
        ),
        ({"pk": f"CODE#{CODE}", "sk": "CODE", "email_key": OLD}, {"email_key": NEW}),
        ({"pk": f"CODE#{CODE}", "sk": "REWARD#r2", "friend": OLD, "owner": f"CODE#{CODE}"}, {"friend": NEW}),
        (
            {"pk": "ORDER#o1", "sk": "ORDER", "rewards": [f"FRIEND#{OLD}|r1", f"CODE#{CODE}|r2"]},
            {"rewards": [f"FRIEND#{NEW}|r1", f"CODE#{CODE}|r2"]},
        ),
        (
            {"pk": f"NOTICE#purchase_ask.spring.{OLD}", "sk": "NOTICE", "buyer": OLD},
            {"pk": f"NOTICE#purchase_ask.spring.{NEW}", "buyer": NEW},
        ),
        # An order id may look like a key: a notice about an order keeps it.
        ({"pk": f"NOTICE#order_attributed.spring.{OLD}", "sk": "NOTICE"}, {}),
        ({"pk": f"OPTOUT#{OLD}", "sk": "OPTOUT"}, {"pk": f"OPTOUT#{NEW}"}),
        ({"pk": f"DIGEST#{OLD}", "sk": "DAY#2026-01-02"}, {"pk": f"DIGEST#{NEW}"}),
        (
            {"pk": f"VISIT#{CODE}#3", "sk": f"VISIT#2026-01-02#{OLD}"},
            {},
        ),  # a visitor's hash, not a person's key
        ({"pk": f"FRIEND#{NEW}", "sk": "CLAIM#spring"}, {}),  # re-keyed already
    ],
)
def test_every_previous_key_of_a_person_is_found_and_nothing_else(item, expected):
    assert rekeyed(item, PersonKeys(b"pepper").current) == item | expected


def test_the_stream_takes_the_moves_for_no_news_and_every_other_change_for_what_it_is():
    original = {"pk": f"FRIEND#{OLD}", "sk": "CLAIM#spring", "code": CODE}
    copy = rekeyed(original, PersonKeys(b"pepper").current) | {REKEYED: "2026-01-02T03:04:05Z"}
    assert is_rekeying(None, copy)
    assert is_rekeying(original, None)
    assert not is_rekeying(None, {k: v for k, v in copy.items() if k != REKEYED})  # a new claim
    assert not is_rekeying(copy, copy | {"status": "issued"})  # a later change of the copy
    assert not is_rekeying({"pk": f"FRIEND#{NEW}", "sk": "CLAIM#spring"}, None)  # a deletion
