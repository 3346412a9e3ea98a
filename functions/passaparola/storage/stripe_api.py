"""Stripe's API: the text of a promotion code a webhook names, and the friend's coupon created.

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
from passaparola.domain.shop import CouponTerms, ShopUnavailable
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
        return isinstance(listed, list) and any(
            isinstance(p, dict) and p.get("metadata", {}).get("claim_id") == terms.key for p in listed
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
