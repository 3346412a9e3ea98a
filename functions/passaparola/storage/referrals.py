"""Who referred whom: friends' claims by campaign and time, with what came of each.

Claims are read from the sparse `by_campaign` index (only claim items carry `claimed_at`),
newest first, one page per call. A page then costs two batch reads: the referrers' codes and
the friends' first orders, then those orders and the referrer's reward for each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from passaparola.domain.records import Page, Referral
from passaparola.storage import keys
from passaparola.storage.claims import claim_of, first_order_of
from passaparola.storage.dynamo import Item, Table, stamp
from passaparola.storage.orders import order_of
from passaparola.storage.referrers import referrer_of
from passaparola.storage.rewards import reward_of


def _key(item: Item) -> tuple[str, str]:
    return item["pk"], item["sk"]


class ReferralStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def page(
        self, campaign: str, since: datetime, until: datetime, limit: int, after: Mapping[str, str] | None
    ) -> Page[Referral]:
        """Claims from `since` to before `until`, newest first; at most `limit` (up to 50)."""
        found, last = self.table.query_page(
            keys.BY_CAMPAIGN_INDEX,
            "campaign = :campaign AND claimed_at BETWEEN :since AND :until",
            {":campaign": campaign, ":since": stamp(since), ":until": stamp(until)},
            limit=limit,
            after=after,
            forward=False,
        )
        claims = [claim_of(item) for item in found]
        wanted = {_key(keys.code(c.code)) for c in claims} | {
            _key(keys.converted(c.friend, campaign)) for c in claims
        }
        first_batch = {_key(item): item for item in self._get(wanted)}
        firsts = {
            c.claim_id: first_order_of(c.friend, item)
            for c in claims
            if (item := first_batch.get(_key(keys.converted(c.friend, campaign)))) is not None
        }
        second = {_key(keys.order(f.order_id)) for f in firsts.values()} | {
            # Reward ids are derived from what earned them: the referrer's for an order is this one.
            (keys.code_pk(f.code), f"{keys.REWARD}order-{f.order_id}")
            for f in firsts.values()
        }
        second_batch = {_key(item): item for item in self._get(second)}
        referrals = []
        for claim in claims:
            code_item = first_batch.get(_key(keys.code(claim.code)))
            first = firsts.get(claim.claim_id)
            order_item = second_batch.get(_key(keys.order(first.order_id))) if first else None
            reward_item = (
                second_batch.get((keys.code_pk(first.code), f"{keys.REWARD}order-{first.order_id}"))
                if first
                else None
            )
            referrals.append(
                Referral(
                    claim=claim,
                    referrer=referrer_of(code_item) if code_item else None,
                    first_order=first,
                    order=order_of(order_item) if order_item else None,
                    reward=reward_of(reward_item) if reward_item else None,
                )
            )
        position = {k: str(v) for k, v in last.items()} if last else None
        return Page(tuple(referrals), position)

    def _get(self, wanted: set[tuple[str, str]]) -> list[Item]:
        return self.table.get_many([{"pk": pk, "sk": sk} for pk, sk in sorted(wanted)]) if wanted else []
