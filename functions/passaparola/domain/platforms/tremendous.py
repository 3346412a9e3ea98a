"""Tremendous's API (v2), for the referrer's cash, gift card or donation: one order each.

`POST /api/v2/orders` with the reward's key as `external_id`, which Tremendous makes the order's
idempotency key: the same body again answers 201 with the order first made, another body under
the same key 409, and neither makes a second order. The recipient chooses among the products the
brand file names for the kind (or its Tremendous campaign's), and Tremendous emails them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from passaparola.domain.platforms import field, listed, text

if TYPE_CHECKING:
    from passaparola.domain.campaign import Payouts
    from passaparola.domain.shop import Grant

ORDERS_PATH = "/api/v2/orders"
# The production API; its sandbox is https://testflight.tremendous.com (the payouts' `api_url`).
API_URL = "https://api.tremendous.com"


def order_body(grant: Grant, payouts: Payouts) -> dict[str, Any]:
    if grant.amount is None or grant.currency is None:
        raise ValueError(f"{grant.kind} {grant.reward_id} has no amount")
    reward: dict[str, Any] = {
        "value": {"denomination": float(grant.amount), "currency_code": grant.currency},
        "recipient": {"name": grant.name, "email": grant.email},
        "language": grant.lang,
        "delivery": {"method": "EMAIL"},
    }
    if payouts.campaign is not None:
        reward["campaign_id"] = payouts.campaign
    products = payouts.products_for(grant.kind)
    if products:
        reward["products"] = list(products)
    return {
        "external_id": grant.key,
        "payment": {"funding_source_id": payouts.funding_source},
        "reward": reward,
    }


def order_id(found: Any) -> str | None:
    """The order's id in a create answer (200, or 201 for the one an earlier try made)."""
    return text(field(found, "order", "id"))


def orders_path(grant: Grant) -> str:
    return f"{ORDERS_PATH}?external_id={quote(grant.key, safe='')}"


def order_found(found: Any, grant: Grant) -> str | None:
    """The order this reward made, among those listed by its external_id, if any."""
    return next(
        (text(order.get("id")) for order in listed(found, "orders") if order.get("external_id") == grant.key),
        None,
    )
