"""Shopify's Admin GraphQL API, for the friend's coupon (`discountCodeBasicCreate`).

The key is an Admin API access token (`shpat_...`) of a custom app with the one scope
`write_discounts`, sent as `X-Shopify-Access-Token`. Shopify has no idempotency key: the code is
fixed before the call, and a code found taken (`TAKEN`) is read back (`codeDiscountNodeByCode`)
and taken as created when its title names this claim, so a retry, or a crash between Shopify's
answer and the ledger's write, never makes a second discount. A throttled call (the query cost
bucket empty) is a failure like any other: the reward queue tries again later.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from passaparola.domain.platforms import shopify
from passaparola.domain.shop import CouponTerms, ShopUnavailable
from passaparola.domain.vocabulary import Revoked
from passaparola.storage import shop_http


class ShopifyCoupons:
    def __init__(self, shop_url: str, api_key: Callable[[], str]) -> None:
        self.endpoint = f"{shop_url.rstrip('/')}/admin/api/{shopify.API_VERSION}/graphql.json"
        self.api_key = api_key

    def create(self, terms: CouponTerms) -> None:
        token = self.api_key()
        status, found = self._call(token, shopify.CREATE, shopify.discount_variables(terms))
        outcome = shopify.created(found) if status == 200 else None
        if outcome == "created":
            return
        if outcome == "taken":
            status, found = self._call(token, shopify.FIND, {"code": terms.code})
            if status == 200 and shopify.ours(found, terms):
                return
        raise ShopUnavailable(f"Shopify answered {status} creating the discount of {terms.reward_id}")

    def deactivate(self, code: str) -> Revoked:
        """The code's discount deactivated (`discountCodeDeactivate`: it ends now, and can be
        activated again), unless it was used. Throttled or failing: ShopUnavailable."""
        token = self.api_key()
        status, found = self._call(token, shopify.FIND, {"code": code})
        if status != 200 or "data" not in (found if isinstance(found, dict) else {}):
            raise ShopUnavailable(f"Shopify answered {status} finding discount code {code}")
        discount, outcome = shopify.to_deactivate(found)
        if discount is None:
            return outcome
        status, found = self._call(token, shopify.DEACTIVATE, {"id": discount})
        if status != 200 or not shopify.deactivated(found):
            raise ShopUnavailable(f"Shopify answered {status} deactivating discount code {code}")
        return outcome

    def _call(self, token: str, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
        body = json.dumps({"query": query, "variables": variables}).encode()
        headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}
        return shop_http.send("Shopify", self.endpoint, headers, body)
