"""A campaign's opt-in leaderboard: the sparse `board` index of the codes whose owners asked
to be on it, by the rank the counters keep (orders, then claims). A code is on it only while
it holds both `board_pk` and `rank`; opting out removes `board_pk`, and it is gone."""

from __future__ import annotations

from passaparola.domain.records import BoardEntry
from passaparola.storage import keys
from passaparola.storage.dynamo import ConditionFailed, Item, Table


def _entry(item: Item) -> BoardEntry:
    return BoardEntry(
        code=item["code"],
        name=item["board_name"],
        claims=int(item.get("claims", 0)),
        orders=int(item.get("orders", 0)),
        rank=int(item["rank"]),
    )


class BoardStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def join(self, code: str, campaign: str, name: str) -> bool:
        """Put the code on its campaign's board under `name` (again: a new name). False when
        the code is gone or erased."""
        try:
            self.table.update(
                keys.code(code),
                "SET board_pk = :board, board_name = :name",
                {":board": keys.board_pk(campaign), ":name": name, ":erased": "erased"},
                condition="attribute_exists(pk) AND #status <> :erased",
                names={"#status": "status"},
            )
        except ConditionFailed:
            return False
        return True

    def leave(self, code: str) -> None:
        """Off the board, with the name it was shown under (an update creates no item)."""
        try:
            self.table.update(
                keys.code(code), "REMOVE board_pk, board_name", condition="attribute_exists(pk)"
            )
        except ConditionFailed:
            return

    def ranked(self, campaign: str, *, limit: int) -> list[BoardEntry]:
        """The first `limit` codes on the board, from the top: one query (eventually consistent:
        a place, not money)."""
        items, _ = self.table.query_page(
            keys.BOARD_INDEX,
            "board_pk = :board",
            {":board": keys.board_pk(campaign)},
            limit=limit,
            forward=False,
        )
        return [_entry(item) for item in items]
