"""Stripe's API: the text of a promotion code a webhook names, the friend's coupon created, and
the referrer's reward issued (a coupon, a customer balance credit, or a free month).

A Checkout session names the promotion codes its buyer typed by id (`promo_...`); the code the
friend was given is that promotion code's `code`, one GET away. The key is a restricted key
with "Promotion Codes: Read" and nothing else, kept in Secrets Manager; without one
(`rk_`/`sk_`), promotion codes are not read and a coupon typed at Stripe's checkout cannot
attribute the order. A promotion code's text never changes, so each id is asked once per
instance.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode

from passaparola.domain.errors import Conflict
from passaparola.domain.platforms import stripe
from passaparola.domain.records import Receipt
from passaparola.domain.shop import CouponTerms, Grant, ShopUnavailable
from passaparola.domain.vocabulary import Revoked
from passaparola.observability import logger
from passaparola.storage import shop_http

TIMEOUT_SECONDS = 3
_KEY_PREFIXES = ("rk_", "sk_")


class PromotionCodes:
    def __init__(self, api_url: str, api_key: Callable[[], str]) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key  # read when needed: most orders carry no promotion code
        self._known: dict[str, str | None] = {}

    def codes(self, promotion_ids: Sequence[str]) -> tuple[str, ...]:
        """The codes of these promotion codes, in their order (an unknown one is left out).
        Stripe unreachable, or refusing the key: Conflict, so that Stripe delivers again."""
        key = self.api_key()
        if not key.startswith(_KEY_PREFIXES):
            logger.warning(
                "no Stripe API key: promotion codes are not read", extra={"ids": list(promotion_ids)}
            )
            return ()
        found = (self._code(promotion_id, key) for promotion_id in promotion_ids)
        return tuple(code for code in found if code)

    def _code(self, promotion_id: str, key: str) -> str | None:
        if promotion_id not in self._known:
            self._known[promotion_id] = self._fetch(promotion_id, key)
        return self._known[promotion_id]

    def _fetch(self, promotion_id: str, key: str) -> str | None:
        from urllib.request import Request, urlopen

        url = f"{self.api_url}/v1/promotion_codes/{quote(promotion_id, safe='')}"
        request = Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310 - https, or the local stack
        try:
            with urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - same URL
                code = json.loads(answer.read()).get("code")
        except HTTPError as exc:
            if exc.code == 404:
                return None
            raise Conflict(f"Stripe answered {exc.code} for promotion code {promotion_id}; retry") from None
        except (URLError, TimeoutError, ValueError) as exc:
            raise Conflict(
                f"could not read promotion code {promotion_id} from Stripe ({exc}); retry"
            ) from None
        return code if isinstance(code, str) else None


class StripeCoupons:
    """The friend's coupon created in Stripe: the campaign's coupon, then the friend's promotion
    code. The key needs "Coupons: Write" and "Promotion Codes: Write" (which reads too).

    Exactly once: the promotion code carries the claim's id as its `Idempotency-Key`, so a
    retry within Stripe's 24 hours gets the first answer back; a retry after that meets the
    code already taken and reads it back. The coupon's own id is fixed by its terms, so a second
    create of it is answered `resource_already_exists` and is the same coupon."""

    def __init__(self, api_url: str, api_key: Callable[[], str]) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key

    def create(self, terms: CouponTerms) -> None:
        key = self.api_key()
        status, found = self._call("POST", "/v1/coupons", key, stripe.coupon_form(terms), None)
        if status != 200 and _error_code(found) != "resource_already_exists":
            raise ShopUnavailable(f"Stripe answered {status} creating coupon {stripe.coupon_id(terms)}")
        form = stripe.promotion_code_form(terms)
        status, found = self._call("POST", "/v1/promotion_codes", key, form, terms.key)
        if status == 200 or self._already_ours(terms, key):
            return
        raise ShopUnavailable(f"Stripe answered {status} creating promotion code for {terms.reward_id}")

    def deactivate(self, code: str) -> Revoked:
        """The promotion code set `active=false` (Stripe's own way to stop a code; it can be
        set active again), unless it was redeemed."""
        key = self.api_key()
        status, found = self._call("GET", f"/v1/promotion_codes?code={quote(code)}", key, None, None)
        if status != 200:
            raise ShopUnavailable(f"Stripe answered {status} finding promotion code {code}")
        promotion, outcome = stripe.to_deactivate(found, code)
        if promotion is None:
            return outcome
        path = f"/v1/promotion_codes/{quote(promotion, safe='')}"
        status, _ = self._call("POST", path, key, stripe.DEACTIVATE, None)
        if status != 200:
            raise ShopUnavailable(f"Stripe answered {status} deactivating promotion code {code}")
        return outcome

    def _already_ours(self, terms: CouponTerms, key: str) -> bool:
        status, found = self._call("GET", f"/v1/promotion_codes?code={quote(terms.code)}", key, None, None)
        listed = found.get("data") if status == 200 else None
        whose = stripe.key_metadata(terms)
        return isinstance(listed, list) and any(
            isinstance(p, dict) and p.get("metadata", {}).get(whose) == terms.key for p in listed
        )

    def _call(
        self, method: str, path: str, key: str, form: dict[str, str] | None, idempotency: str | None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {key}", "Stripe-Version": stripe.API_VERSION}
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        data = urlencode(form).encode() if form is not None else None
        status, found = shop_http.send("Stripe", f"{self.api_url}{path}", headers, data, method)
        return status, found if isinstance(found, dict) else {}


def _error_code(found: dict[str, Any]) -> str | None:
    error = found.get("error")
    return error.get("code") if isinstance(error, dict) else None


class StripeRewards(StripeCoupons):
    """Referrers' rewards in Stripe: a coupon as the friend's (a promotion code with the reward's
    key); store credit as a customer balance credit; a free month as a coupon of its own, 100%
    off one invoice, on the customer's monthly subscription. Credit and a free month need the
    referrer to be a Stripe customer (found by email), and a free month an active monthly
    subscription: without them the business gives the reward. Besides the coupons' permissions
    the key needs "Customers: Write" (a balance transaction is the customer's) and
    "Subscriptions: Write".

    Exactly once: each call carries the reward's key as its `Idempotency-Key`; after Stripe's 24
    hours a lost answer is found by the key in the balance transaction's metadata, or by the
    free month's coupon having been redeemed (its one redemption)."""

    def issue(self, grant: Grant) -> Receipt | None:
        if grant.coupon is not None:
            self.create(grant.coupon)
            return Receipt("stripe", "coupon", grant.coupon.code)
        key = self.api_key()
        customer = self._customer(grant, key)
        if customer is None:
            logger.info(
                "the referrer is no Stripe customer: the business gives it", extra={"reward": grant.reward_id}
            )
            return None
        if grant.kind == "credit":
            path = f"/v1/customers/{quote(customer, safe='')}/balance_transactions"
            status, found = self._call("POST", path, key, stripe.balance_form(grant), grant.key)
            made = found.get("id") if status == 200 else None
            if isinstance(made, str):
                return Receipt("stripe", "customer_balance", made)
            raise ShopUnavailable(f"Stripe answered {status} crediting the balance of {grant.reward_id}")
        if grant.kind == "free_period":
            return self._free_month(grant, customer, key)
        raise ValueError(f"Stripe does not issue {grant.kind}")

    def found(self, grant: Grant) -> list[Receipt]:
        key = self.api_key()
        if grant.kind == "credit":
            customer = self._customer(grant, key)
            if customer is None:
                return []
            path = f"/v1/customers/{quote(customer, safe='')}/balance_transactions?limit=100"
            status, found = self._call("GET", path, key, None, None)
            made = stripe.balance_found(found, grant) if status == 200 else None
            return [Receipt("stripe", "customer_balance", made)] if made else []
        if grant.kind == "free_period" and self._redeemed(stripe.free_coupon_id(grant), key):
            return [Receipt("stripe", "subscription_discount", stripe.free_coupon_id(grant))]
        return []

    def _free_month(self, grant: Grant, customer: str, key: str) -> Receipt | None:
        status, found = self._call("GET", stripe.subscriptions_path(customer), key, None, None)
        if status != 200:
            raise ShopUnavailable(f"Stripe answered {status} listing the subscriptions of {grant.reward_id}")
        subscription = stripe.monthly_subscription(found)
        if subscription is None:
            logger.info(
                "no monthly Stripe subscription: the business gives it", extra={"reward": grant.reward_id}
            )
            return None
        coupon = stripe.free_coupon_id(grant)
        status, found = self._call("POST", "/v1/coupons", key, stripe.free_coupon_form(grant), None)
        if status != 200 and _error_code(found) != "resource_already_exists":
            raise ShopUnavailable(f"Stripe answered {status} creating coupon {coupon}")
        subscription_id, kept = subscription
        path = f"/v1/subscriptions/{quote(subscription_id, safe='')}"
        status, found = self._call("POST", path, key, stripe.discounts_form(kept, coupon), grant.key)
        if status == 200 or self._redeemed(coupon, key):
            return Receipt("stripe", "subscription_discount", coupon)
        raise ShopUnavailable(f"Stripe answered {status} discounting the subscription of {grant.reward_id}")

    def _customer(self, grant: Grant, key: str) -> str | None:
        status, found = self._call("GET", stripe.customers_path(grant.email), key, None, None)
        if status != 200:
            raise ShopUnavailable(f"Stripe answered {status} finding the customer of {grant.reward_id}")
        return stripe.customer_id(found)

    def _redeemed(self, coupon: str, key: str) -> bool:
        status, found = self._call("GET", f"/v1/coupons/{quote(coupon, safe='')}", key, None, None)
        return status == 200 and stripe.redeemed(found)
