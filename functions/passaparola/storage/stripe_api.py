"""Stripe's API, for the one thing a webhook leaves out: a promotion code's text.

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
from urllib.error import HTTPError, URLError
from urllib.parse import quote

from passaparola.domain.errors import Conflict
from passaparola.observability import logger

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
