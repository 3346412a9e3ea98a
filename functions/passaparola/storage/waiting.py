"""What waits for the business: issued rewards to give (credit, cash, gifts...) and orders held
for review, oldest first, from the sparse `waiting` index (an item leaves it when done)."""

from __future__ import annotations

from collections.abc import Mapping

from passaparola.domain.records import Page, Review, Reward
from passaparola.storage import keys
from passaparola.storage.dynamo import Item, Table
from passaparola.storage.reviews import review_of
from passaparola.storage.rewards import reward_of


class WaitingStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def rewards_to_fulfil(
        self, campaign: str | None, limit: int, after: Mapping[str, str] | None
    ) -> Page[Reward]:
        items, last = self._page(keys.FULFIL, campaign, limit, after)
        return Page(tuple(reward_of(item) for item in items), last)

    def reviews(self, campaign: str | None, limit: int, after: Mapping[str, str] | None) -> Page[Review]:
        items, last = self._page(keys.REVIEW, campaign, limit, after)
        return Page(tuple(review_of(item) for item in items), last)

    def _page(
        self, kind: str, campaign: str | None, limit: int, after: Mapping[str, str] | None
    ) -> tuple[list[Item], dict[str, str] | None]:
        condition, values = "waiting_pk = :kind", {":kind": kind}
        if campaign is not None:
            condition += " AND begins_with(waiting_sk, :campaign)"
            values[":campaign"] = keys.waiting_sk(campaign, "")
        items, last = self.table.query_page(keys.WAITING_INDEX, condition, values, limit=limit, after=after)
        return items, {k: str(v) for k, v in last.items()} if last else None
