"""Tremendous's API, for the referrer's cash, gift card or donation (domain/platforms/tremendous.py).

The key is a production (or sandbox) API key, sent as a bearer token; Tremendous has no narrower
permission than its organisation's. The official client (tremendous-python) is not used here:
it takes over a second to import, which every reward worker's cold start would pay for two
requests whose shape its own models check in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from passaparola.domain.platforms import tremendous
from passaparola.domain.records import Receipt
from passaparola.domain.shop import Grant, ShopUnavailable
from passaparola.storage import shop_http

if TYPE_CHECKING:
    from passaparola.domain.campaign import Payouts


class TremendousPayouts:
    def __init__(self, api_url: str, api_key: Callable[[], str], payouts: Payouts) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key  # read when needed, and re-read after a rotation
        self.payouts = payouts

    def issue(self, grant: Grant) -> Receipt | None:
        body = json.dumps(tremendous.order_body(grant, self.payouts)).encode()
        status, found = self._call("POST", tremendous.ORDERS_PATH, body)
        # 200: made now; 201: made by an earlier call with this external_id, and not again.
        made = tremendous.order_id(found) if status in (200, 201) else None
        if made is None and status == 409:
            # The same external_id with another body (the referrer renamed since): that order
            # stands, and is this reward's.
            made = next((receipt.reference for receipt in self.found(grant)), None)
        if made is None:
            raise ShopUnavailable(f"Tremendous answered {status} ordering {grant.reward_id}")
        return Receipt("tremendous", "payout", made)

    def found(self, grant: Grant) -> list[Receipt]:
        status, found = self._call("GET", tremendous.orders_path(grant), None)
        made = tremendous.order_found(found, grant) if status == 200 else None
        return [Receipt("tremendous", "payout", made)] if made else []

    def _call(self, method: str, path: str, body: bytes | None) -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {self.api_key()}", "Content-Type": "application/json"}
        return shop_http.send("Tremendous", f"{self.api_url}{path}", headers, body, method)
