"""Shopify's Admin GraphQL API, for the friend's coupon (`discountCodeBasicCreate`) and the
referrer's reward (a coupon the same way, or store credit: `storeCreditAccountCredit`).

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

from passaparola.domain.platforms import field, shopify
from passaparola.domain.records import Receipt
from passaparola.domain.shop import CouponTerms, Grant, ShopUnavailable
from passaparola.domain.vocabulary import Revoked
from passaparola.observability import logger
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


class ShopifyRewards(ShopifyCoupons):
    """Referrers' rewards in Shopify: a coupon as the friend's, and store credit on the
    referrer's customer account (`storeCreditAccountCredit`; found by email, so the token also
    needs `read_customers`, `write_store_credit_account_transactions`, and, to read credits
    back, `read_store_credit_accounts` and `read_store_credit_account_transactions`). A referrer
    who is no customer of the shop gets their credit from the business.

    Shopify keeps no idempotency key for store credit, and no reference of ours on it: the
    attempt is written before the first call, and a retry first reads the customer's credits
    since then; one of this amount is taken as the lost answer's, unless another reward holds
    it already (the ledger lets one reward hold each credit)."""

    def issue(self, grant: Grant) -> Receipt | None:
        if grant.coupon is not None:
            self.create(grant.coupon)
            return Receipt("shopify", "coupon", grant.coupon.code)
        if grant.kind != "credit":
            raise ValueError(f"Shopify does not issue {grant.kind}")
        token = self.api_key()
        customer = self._customer(grant, token)
        if customer is None:
            logger.info(
                "the referrer is no Shopify customer: the business gives it",
                extra={"reward": grant.reward_id},
            )
            return None
        status, found = self._call(token, shopify.CREDIT, shopify.credit_variables(customer, grant))
        credit = shopify.credited(found) if status == 200 else None
        if credit is None:
            raise ShopUnavailable(
                f"Shopify answered {status} crediting the store credit of {grant.reward_id}"
            )
        return Receipt("shopify", "store_credit", credit)

    def found(self, grant: Grant) -> list[Receipt]:
        if grant.coupon is not None:
            return []  # a coupon's code is read back when found taken
        token = self.api_key()
        customer = self._customer(grant, token)
        if customer is None:
            return []
        status, found = self._call(token, shopify.CREDITS, {"id": customer})
        if status != 200:
            raise ShopUnavailable(f"Shopify answered {status} reading the store credit of {grant.reward_id}")
        return [Receipt("shopify", "store_credit", credit) for credit in shopify.credits_since(found, grant)]

    def _customer(self, grant: Grant, token: str) -> str | None:
        status, found = self._call(token, shopify.CUSTOMER, shopify.customer_variables(grant.email))
        if status != 200 or field(found, "data", "customers") is None:
            raise ShopUnavailable(f"Shopify answered {status} finding the customer of {grant.reward_id}")
        return shopify.customer_found(found)
