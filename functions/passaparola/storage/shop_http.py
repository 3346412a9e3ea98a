"""One request to a shop platform's API, or the payouts provider's, as each adapter makes it
(storage/stripe_api.py, shopify_api.py, woocommerce_api.py, tremendous_api.py): the status and
the answer's JSON (None when the body is none), whatever the status; a platform unreachable or
too slow is ShopUnavailable, so the reward queue tries again."""

from __future__ import annotations

import json
from typing import Any
from urllib.error import HTTPError, URLError

from passaparola.domain.shop import ShopUnavailable

TIMEOUT_SECONDS = 3


def send(
    platform: str, url: str, headers: dict[str, str], body: bytes | None = None, method: str = "POST"
) -> tuple[int, Any]:
    from urllib.request import Request, urlopen  # loaded by the functions that call a shop only

    request = Request(url, data=body, headers=headers, method=method)  # noqa: S310 - the brand's https shop, or the local stack
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - same URL
            return answer.status, _json(answer.read())
    except HTTPError as exc:
        return exc.code, _json(exc.read())
    except (URLError, TimeoutError) as exc:
        raise ShopUnavailable(f"{platform} could not be reached ({exc})") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
