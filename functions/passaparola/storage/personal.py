"""Everything the table holds about one person, found by their address's key, and its deletion.

`KINDS` is the one list of the item kinds that hold a person's address, name or address key,
with what deletion does to each. tests/integration/test_my_data.py walks a person through
every path the kit has, scans the whole table and fails on any item that holds them and is of
no kind listed here, or holds them in an attribute its kind does not name: a branch that
stores a person somewhere new adds one entry (and its finder below), or that test fails.

Deletion, in an order that a retry can always finish: the unsubscribe first (so nothing is
sent while the rest goes), then the rewards not yet issued are voided (there is no one left
to give them to, and a reward issued to nobody would make the ledger say it was paid), then
every item that names the person is deleted or erased, a hundred to a transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from passaparola.domain.records import Held
from passaparola.domain.vocabulary import NoticeKind
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Item, Table, stamp
from passaparola.storage.rewards import RewardLedger, reward_of

After = Literal["deleted", "erased", "kept", "expires"]


@dataclass(frozen=True)
class Kind:
    """One kind of item: its key prefixes, the attributes that hold an address or a name, and
    what deletion does with it (README, "Your data", says the same)."""

    name: str
    pk: str
    sk: str
    holds: tuple[str, ...]
    after: After
    why: str

    def matches(self, item: Mapping[str, object]) -> bool:
        return str(item["pk"]).startswith(self.pk) and str(item["sk"]).startswith(self.sk)


KINDS: tuple[Kind, ...] = (
    Kind(
        "referral_codes",
        "CODE#",
        "CODE",
        ("email", "email_key", "display_name", "board_name"),
        "erased",
        "kept inactive without the address, its key, the name or the leaderboard's name: the "
        "code is never given to anyone else, and the rewards and orders it counted stay in the books",
    ),
    Kind(
        "listed_friends",
        keys.code_pk(""),
        keys.LISTED,
        ("sk", "name"),
        "deleted",
        "a friend in the list of the code they claimed through (first name and initial, for the "
        "referrer's stats page); a referrer's deletion takes their code's list too",
    ),
    Kind(
        "referrer_rewards",
        keys.code_pk(""),
        keys.REWARD,
        ("sk", "friend"),
        "erased",
        "a referrer's rewards name the friend each came from, by key: the money records stay, "
        "without the key",
    ),
    Kind("claims", keys.friend_pk(""), keys.CLAIM, ("pk", "email", "name"), "deleted", "the friend's claim"),
    Kind(
        "refusals",
        keys.friend_pk(""),
        "REFUSED#",
        ("pk",),
        "deleted",
        "when a refused claim was explained",
    ),
    Kind(
        "first_orders",
        keys.friend_pk(""),
        keys.CONVERTED,
        ("pk",),
        "deleted",
        "that a friend's first order counted",
    ),
    Kind(
        "friend_rewards",
        keys.friend_pk(""),
        keys.REWARD,
        ("pk", "owner"),
        "kept",
        "money records, under the address's key only; one not yet issued is voided",
    ),
    Kind(
        "coupons",
        "COUPON#",
        "COUPON",
        ("owner",),
        "kept",
        "which reward a coupon code is: its owner by key",
    ),
    Kind(
        "orders",
        keys.ORDER,
        "ORDER",
        ("rewards",),
        "kept",
        "money records: the amounts, and their rewards by key",
    ),
    Kind(
        "reviews",
        "REVIEW#",
        "REVIEW",
        ("rewards",),
        "kept",
        "the business's decision on an order, rewards by key",
    ),
    Kind(
        "notices",
        keys.NOTICE,
        "NOTICE",
        ("pk", "friend", "buyer", "email"),
        "deleted",
        "emails scheduled to or about the person (an invitation to join holds the address until sent)",
    ),
    Kind(
        "unsubscribes",
        "OPTOUT#",
        "OPTOUT",
        ("pk",),
        "kept",
        "under the address's key only, marked erased: no email about any campaign goes to it again",
    ),
    Kind("digests", "DIGEST#", "DAY#", ("pk",), "deleted", "which day's digest an admin was sent"),
    Kind(
        "sign_ins",
        "SIGNIN#",
        "SIGNIN",
        ("email",),
        "expires",
        "an admin's console sign-in link, kept by the digest of its token (not findable by "
        "the address), gone 15 minutes after it was asked for",
    ),
    # Last: a retry finds the codes, and what hangs off them, through the enrolments.
    Kind("enrolments", "ENROL#", "ENROL", ("pk",), "deleted", "which code the address has in a campaign"),
)
BY_NAME = {kind.name: kind for kind in KINDS}

# What the last part of a scheduled notice's id is (`<kind>.<campaign>.<about>`): an address's
# key, a referral code, or an order id. A notice about an order holds neither address nor key:
# it stays with the referrer it goes to.
NOTICES_ABOUT: Mapping[NoticeKind, Literal["address", "code", "order"]] = {
    "friend_claimed": "address",
    "coupon_reminder": "address",
    "cap_reached": "code",
    "referrer_nudge": "code",
    "order_attributed": "order",
    "purchase_ask": "address",
}
# What an export leaves out of every item: the table's keys and index keys, and every person's
# key (their own, a friend's on a referrer's reward or a notice, a buyer's; and the rewards'
# references, which hold their owners' keys). A key is not the person's own words, and another
# person's would let them check a guessed address. What the keys say is shown in words instead.
_NOT_SHOWN = frozenset(
    {
        "pk",
        "sk",
        "email_key",
        "friend",
        "buyer",
        "owner",
        "rewards",
        "rekeyed_at",
        "due_pk",
        "due_at",
        "top_pk",
        "waiting_pk",
        "waiting_sk",
        "board_pk",
        "data_links_from",
    }
)
_UNISSUED = ("pending", "held", "review")
_TRANSACTION_LIMIT = 100


class PersonalStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def find(self, email_key: str, campaigns: Sequence[str]) -> Held:
        """Every item of every kind under the address's key, found by key: a few batch reads
        and one query per referral code, never a scan."""
        held = Held(email_key)
        first = self._get_many([keys.enrolment(c, email_key) for c in campaigns] + [keys.opt_out(email_key)])
        enrolments = [i for i in first if BY_NAME["enrolments"].matches(i)]
        held.add("enrolments", enrolments)
        held.add("unsubscribes", [i for i in first if BY_NAME["unsubscribes"].matches(i)])
        codes: dict[str, str] = {}  # code -> campaign
        for enrolment in enrolments:
            for item in self.table.query(keys.code_pk(enrolment["code"])):
                if item["sk"] == "CODE":
                    held.add("referral_codes", [item])
                    codes[item["code"]] = item["campaign"]
                elif item["sk"].startswith(keys.REWARD):
                    held.add("rewards", [item])
                elif item["sk"].startswith(keys.LISTED):
                    held.add("listed_friends", [item])
        friend = list(self.table.query(keys.friend_pk(email_key)))
        for name in ("claims", "refusals", "first_orders", "friend_rewards"):
            held.add(name, [i for i in friend if BY_NAME[name].matches(i)])
        # As a friend: listed under each code claimed through, and named by its rewards.
        claims = held.of("claims")
        held.add(
            "listed_friends",
            self._get_many([keys.listed_friend(c["code"], c["claimed_at"], email_key) for c in claims]),
        )
        for code in sorted({c["code"] for c in claims}):
            named = self.table.query(keys.code_pk(code), sk_prefix=keys.REWARD)
            held.add("referrer_rewards", [r for r in named if r.get("friend") == email_key])
        held.add("digests", self.table.query(f"DIGEST#{email_key}"))
        notice_ids = [
            f"{kind}.{campaign}.{email_key}"
            for kind, about in NOTICES_ABOUT.items()
            if about == "address"
            for campaign in campaigns
        ] + [
            f"{kind}.{campaign}.{code}"
            for kind, about in NOTICES_ABOUT.items()
            if about == "code"
            for code, campaign in codes.items()
        ]
        held.add("notices", self._get_many([keys.notice(n) for n in notice_ids]))
        held.add("orders", self._get_many([keys.order(i["order_id"]) for i in held.of("first_orders")]))
        reviewed = [i["conversion_id"] for i in held.of("orders") if i.get("conversion_id")]
        held.add("reviews", self._get_many([keys.review(c) for c in reviewed]))
        rewards = held.of("rewards") + held.of("friend_rewards")
        coupons = [i["coupon_code"] for i in rewards if i.get("coupon_code")]
        held.add("coupons", self._get_many([keys.coupon(c) for c in coupons]))
        return held

    @staticmethod
    def shown(held: Held) -> dict[str, list[dict[str, Any]]]:
        """Each kind's items as the person reads them: what the keys said, in words, and the
        item's own attributes, without any key (a referrer's friends by the name the stats
        page shows and when they claimed, as the page lists them)."""
        return {
            kind: [
                _words(kind, item) | {n: v for n, v in item.items() if n not in _NOT_SHOWN} for item in items
            ]
            for kind, items in held.items.items()
            if items
        }

    def erase(self, held: Held, now: datetime) -> int:
        """Delete what `held` found, keeping the money records without the person; how many
        of its items went (deleted, or erased of the person). Each step is safe to repeat, so
        a retry after a failure finishes the job."""
        self.table.update(
            keys.opt_out(held.email_key),
            "SET erased_at = if_not_exists(erased_at, :now)",
            {":now": stamp(now)},
        )
        ledger = RewardLedger(self.table)
        for item in held.of("rewards") + held.of("friend_rewards"):
            if item["status"] in _UNISSUED:
                # False when it moved on meanwhile (issued): then it stays, as issued ones do.
                ledger.void(reward_of(item).ref, now, "erased", slot_of=None)
        operations: list[tuple[str, Mapping[str, str]]] = [
            (kind.name, {"pk": item["pk"], "sk": item["sk"]})
            for kind in KINDS
            if kind.after in ("deleted", "erased")
            for item in held.of(kind.name)
        ]
        for start in range(0, len(operations), _TRANSACTION_LIMIT):
            transaction = self.table.transaction()
            for index, (name, key) in enumerate(operations[start : start + _TRANSACTION_LIMIT]):
                if BY_NAME[name].after == "deleted":
                    transaction.delete(f"item{index}", key)
                elif name == "referrer_rewards":
                    transaction.update(f"item{index}", key, "REMOVE friend", {})
                else:
                    transaction.update(
                        f"item{index}",
                        key,
                        "SET #status = :erased, erased_at = if_not_exists(erased_at, :now) "
                        # board_pk and board_name: the leaderboard's opt-in and the name it showed
                        "REMOVE email, email_key, display_name, board_pk, board_name",
                        {":erased": "erased", ":now": stamp(now)},
                        names={"#status": "status"},
                    )
            transaction.run()
        return len(operations)

    def close_links(self, email_key: str, valid_from: int) -> None:
        """On the address's unsubscribe, which a deletion keeps: one UpdateItem, never backwards."""
        with suppress(ConditionFailed):  # a later deletion's epoch is there already
            self.table.update(
                keys.opt_out(email_key),
                "SET data_links_from = :from",
                {":from": valid_from},
                condition="attribute_not_exists(data_links_from) OR data_links_from < :from",
            )

    def _get_many(self, wanted: Sequence[Mapping[str, str]]) -> list[Item]:
        found: list[Item] = []
        for start in range(0, len(wanted), 100):
            found += self.table.get_many(wanted[start : start + 100])
        return found


def _words(kind: str, item: Mapping[str, Any]) -> dict[str, str]:
    """What an item's keys say that its attributes do not."""
    pk, sk = str(item["pk"]), str(item["sk"])
    if kind == "listed_friends":
        return {"code": pk.removeprefix(keys.code_pk("")), "claimed_at": keys.listed_friend_parts(sk)[0]}
    if kind == "enrolments":
        return {"campaign": pk.split("#")[1]}
    if kind in ("refusals", "first_orders"):
        return {"campaign": sk.partition("#")[2]}
    if kind == "digests":
        return {"day": sk.removeprefix("DAY#")}
    if kind == "coupons":
        return {"coupon_code": pk.removeprefix("COUPON#")}
    return {}
