"""WooCommerce's REST API (v3), for the friend's coupon and the referrer's (or their credit).

The key is a REST API key (WooCommerce, Settings, Advanced, REST API) with Read/Write
permission, stored as `ck_...:cs_...`, sent as HTTP Basic authentication over HTTPS. WooCommerce
has no idempotency key: the code is fixed before the call, and a code found taken is read back
(`?code=`) and taken as created when it carries this claim's id in its meta data, so a retry,
or a crash between WooCommerce's answer and the ledger's write, never makes a second coupon.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from passaparola.domain.platforms import woocommerce
from passaparola.domain.records import Receipt
from passaparola.domain.shop import CouponTerms, Grant, ShopUnavailable
from passaparola.domain.vocabulary import Revoked
from passaparola.storage import shop_http


class WooCommerceCoupons:
    def __init__(self, shop_url: str, api_key: Callable[[], str]) -> None:
        self.shop_url = shop_url.rstrip("/")
        self.api_key = api_key  # read when needed, and re-read after a rotation

    def create(self, terms: CouponTerms) -> None:
        authorization = self._authorization()
        body = json.dumps(woocommerce.coupon_body(terms)).encode()
        status, found = self._call("POST", woocommerce.COUPONS_PATH, authorization, body)
        if status == 201:
            return
        if isinstance(found, dict) and found.get("code") == woocommerce.CODE_TAKEN:
            path = f"{woocommerce.COUPONS_PATH}?code={quote(terms.code)}"
            status, listed = self._call("GET", path, authorization, None)
            if status == 200 and woocommerce.ours(listed, terms):
                return
        raise ShopUnavailable(f"WooCommerce answered {status} creating the coupon of {terms.reward_id}")

    def deactivate(self, code: str) -> Revoked:
        """The coupon made to expire now, unless it was used (woocommerce.deactivation_body)."""
        authorization = self._authorization()
        path = f"{woocommerce.COUPONS_PATH}?code={quote(code)}"
        status, found = self._call("GET", path, authorization, None)
        if status != 200:
            raise ShopUnavailable(f"WooCommerce answered {status} finding coupon {code}")
        now = datetime.now(UTC)
        coupon_id, outcome = woocommerce.to_deactivate(found, code, now)
        if coupon_id is None:
            return outcome
        body = json.dumps(woocommerce.deactivation_body(now)).encode()
        status, _ = self._call("PUT", woocommerce.coupon_path(coupon_id), authorization, body)
        if status != 200:
            raise ShopUnavailable(f"WooCommerce answered {status} deactivating coupon {code}")
        return outcome

    def _authorization(self) -> str:
        return "Basic " + base64.b64encode(self.api_key().encode()).decode()

    def _call(self, method: str, path: str, authorization: str, body: bytes | None) -> tuple[int, Any]:
        headers = {"Authorization": authorization, "Content-Type": "application/json"}
        return shop_http.send("WooCommerce", f"{self.shop_url}{path}", headers, body, method)


class WooCommerceRewards(WooCommerceCoupons):
    """Referrers' rewards in WooCommerce, which has no store credit: a coupon as the friend's,
    and credit as a fixed-cart coupon for the referrer's email alone, each with its code fixed
    before the call and read back when found taken."""

    def issue(self, grant: Grant) -> Receipt | None:
        if grant.coupon is None:
            raise ValueError(f"WooCommerce does not issue {grant.kind}")
        self.create(grant.coupon)
        return Receipt("woocommerce", "coupon", grant.coupon.code)

    def found(self, grant: Grant) -> list[Receipt]:
        return []  # a coupon's code is read back when found taken
