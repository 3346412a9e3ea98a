"""The upgrade of a table from people keyed by the bare SHA-256 of their mailbox (up to 0.1.0)
to people keyed by a keyed hash (emails.PersonKeys): `passaparola migrate-keys`.

Why a one-off pass and not reads that fall back to the old key: every read of a person would
need two, and every conditional write two conditions, for as long as one old item may be
left; and the bare hashes would stay until each person came back, which one who deleted their
data never does. Today's key is computed from the previous one alone (PersonKeys.current), so
one pass over the table turns every old key into the new one, erased people's included,
without their address.

Exactly, item by item: an item whose table key holds a person's key moves (its copy under the
new key, and the removal of the original on the condition that its values are still as read,
in one transaction); an item that only names a person in an attribute is updated in place, on
the condition that it still names the old key. A previous key is told from a new one by its
shape, so a run that stops is finished by the next, and a run after a complete one changes
nothing. A copy whose new key is taken already (the person came back between the upgrade and
the pass) is not written: the original stays, and is counted as a conflict.

The table's stream sees the pass, and its consumers must not take it for news (a claim counted
twice, an event sent again): the copy carries `rekeyed_at`, and its insertion, like the
removal of an original under a previous key, is no change to them (`is_rekeying`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from passaparola.domain.emails import PersonKeys, is_previous
from passaparola.storage import keys
from passaparola.storage.dynamo import Cancelled, ConditionFailed, Item, Table, from_dynamo, stamp
from passaparola.storage.personal import NOTICES_ABOUT

REKEYED = "rekeyed_at"
# The attributes that hold a person's key: a referral code's owner (`email_key`), the friend a
# reward or a notice is about, a buyer's invitation; a reward's or a coupon's `owner` and an
# order's or a review's `rewards` hold it inside a reward's owner (`FRIEND#<key>`).
_NAMING = ("email_key", "friend", "buyer")
# An item a service changes meanwhile is read again and tried again, this many times.
_ATTEMPTS = 5


@dataclass
class Progress:
    scanned: int = 0
    moved: int = 0
    updated: int = 0
    conflicts: int = 0


def rekeyed(item: Mapping[str, Any], current: Callable[[str], str]) -> Item:
    """The item with every person's key in it turned into today's by `current`."""
    pk, sk = str(item["pk"]), str(item["sk"])
    new: Item = dict(item)
    new["pk"], new["sk"] = _key(pk, current), _sort_key(pk, sk, current)
    for name in _NAMING:
        if isinstance(item.get(name), str):
            new[name] = current(item[name])
    if isinstance(item.get("owner"), str):
        new["owner"] = _owner(item["owner"], current)
    if isinstance(item.get("rewards"), list):
        new["rewards"] = [_reference(ref, current) for ref in item["rewards"]]
    return new


def is_rekeying(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether a change the stream shows is this pass moving an item: the insertion of a copy,
    or the removal of an original under a previous key (no service writes one any more)."""
    if old is None and new is not None:
        return REKEYED in new
    if new is None and old is not None:
        pk, sk = str(old["pk"]), str(old["sk"])
        return (_key(pk, _marked), _sort_key(pk, sk, _marked)) != (pk, sk)
    return False


class Rekeying:
    def __init__(self, table: Table, person_keys: PersonKeys, clock: Callable[[], datetime]) -> None:
        self.table = table
        self.current = person_keys.current
        self.clock = clock

    def run(self, report: Callable[[Progress], None] = lambda _: None) -> Progress:
        """One pass over the whole table; `report` is told after each page."""
        progress = Progress()
        for page in self._pages():
            for item in page:
                progress.scanned += 1
                self._one(item, progress)
            report(progress)
        return progress

    def _one(self, item: Item, progress: Progress) -> None:
        for _ in range(_ATTEMPTS):
            new = rekeyed(item, self.current)
            if new == item:
                return
            try:
                if (new["pk"], new["sk"]) != (item["pk"], item["sk"]):
                    if not self._move(item, new):
                        progress.conflicts += 1
                        return
                    progress.moved += 1
                else:
                    self._update(item, new)
                    progress.updated += 1
            except (Cancelled, ConditionFailed):
                found = self.table.get({"pk": item["pk"], "sk": item["sk"]})
                if found is None:
                    return  # gone meanwhile (deleted, expired, or moved by another pass)
                item = found
                continue
            return
        raise RuntimeError(f"{item['pk']} kept changing while it was re-keyed; run the command again")

    def _move(self, item: Item, new: Item) -> bool:
        """Whether it moved; False when the new key is taken already. Cancelled when the
        original changed since it was read."""
        copy = new | {REKEYED: stamp(self.clock())}
        condition, values, names = _as_read(item)
        try:
            self.table.transaction().put("copy", copy).delete(
                "original", {"pk": item["pk"], "sk": item["sk"]}, condition, values, names
            ).run()
        except Cancelled as cancelled:
            if cancelled.failed("copy") and not cancelled.failed("original"):
                return False
            raise
        return True

    def _update(self, item: Item, new: Item) -> None:
        changed = [name for name in new if new[name] != item.get(name)]
        sets, conditions = [], []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        for index, name in enumerate(changed):
            names[f"#a{index}"] = name
            values[f":new{index}"] = new[name]
            sets.append(f"#a{index} = :new{index}")
            old = item[name]
            if isinstance(old, list):  # list equality compared element by element
                values[f":n{index}"] = len(old)
                conditions.append(f"size(#a{index}) = :n{index}")
                for position, element in enumerate(old):
                    values[f":old{index}_{position}"] = element
                    conditions.append(f"#a{index}[{position}] = :old{index}_{position}")
            else:
                values[f":old{index}"] = old
                conditions.append(f"#a{index} = :old{index}")
        self.table.update(
            {"pk": item["pk"], "sk": item["sk"]},
            "SET " + ", ".join(sets),
            values,
            condition=" AND ".join(conditions),
            names=names,
        )

    def _pages(self) -> Iterator[list[Item]]:
        kwargs: dict[str, Any] = {"TableName": self.table.name, "ConsistentRead": True}
        while True:
            response = self.table.client.scan(**kwargs)
            yield [from_dynamo(item) for item in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _as_read(item: Item) -> tuple[str, dict[str, Any], dict[str, str]]:
    """A condition that the item's plain values (status, times, amounts, due_pk) are still as
    read. Every write a service makes to an item of a person changes one of them (a status, a
    time, a due mark): DynamoDB compares no whole item."""
    conditions = ["attribute_exists(pk)"]
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    plain = [n for n, v in item.items() if n not in ("pk", "sk") and isinstance(v, (str, Decimal, bool))]
    for index, name in enumerate(sorted(plain)):
        names[f"#a{index}"] = name
        values[f":v{index}"] = item[name]
        conditions.append(f"#a{index} = :v{index}")
    return " AND ".join(conditions), values, names


def _key(pk: str, current: Callable[[str], str]) -> str:
    for prefix in (keys.friend_pk(""), "OPTOUT#", "DIGEST#"):
        if pk.startswith(prefix):
            return prefix + current(pk.removeprefix(prefix))
    if pk.startswith("ENROL#"):
        head, _, person = pk.rpartition("#")
        return f"{head}#{current(person)}"
    if pk.startswith(keys.NOTICE):
        head, _, about = pk.rpartition(".")
        kind = head.removeprefix(keys.NOTICE).partition(".")[0]
        if NOTICES_ABOUT.get(kind) == "address":  # type: ignore[call-overload]
            return f"{head}.{current(about)}"
    return pk


def _sort_key(pk: str, sk: str, current: Callable[[str], str]) -> str:
    if pk.startswith(keys.code_pk("")) and sk.startswith(keys.LISTED):
        claimed_at, person = keys.listed_friend_parts(sk)
        return f"{keys.LISTED}{claimed_at}#{current(person)}"
    return sk


def _owner(pk: str, current: Callable[[str], str]) -> str:
    return keys.friend_pk(current(keys.friend_of(pk))) if pk.startswith(keys.friend_pk("")) else pk


def _reference(ref: Any, current: Callable[[str], str]) -> Any:
    if not isinstance(ref, str) or "|" not in ref:
        return ref
    owner, _, reward_id = ref.partition("|")
    return f"{_owner(owner, current)}|{reward_id}"


def _marked(key: str) -> str:
    """Stands in for PersonKeys.current where only whether a key is a previous one matters."""
    return "k" + key if is_previous(key) else key
