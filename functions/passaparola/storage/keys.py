"""The single-table key layout. README's "Storage" section documents the same table."""

from __future__ import annotations

DUE_INDEX = "due"
DUE = "DUE"


def code(code: str) -> dict[str, str]:
    return {"pk": f"CODE#{code}", "sk": "CODE"}


def enrolment(campaign: str, email_key: str) -> dict[str, str]:
    return {"pk": f"ENROL#{campaign}#{email_key}", "sk": "ENROL"}


def visit(code: str, day: str, visitor: str) -> dict[str, str]:
    return {"pk": f"VISIT#{code}#{day}#{visitor}", "sk": "VISIT"}


def friend_pk(email_key: str) -> str:
    return f"FRIEND#{email_key}"


def claim(email_key: str, campaign: str) -> dict[str, str]:
    return {"pk": friend_pk(email_key), "sk": f"CLAIM#{campaign}"}


def refusal(email_key: str, campaign: str) -> dict[str, str]:
    """When an address was last told that a campaign's offer is not for it."""
    return {"pk": friend_pk(email_key), "sk": f"REFUSED#{campaign}"}


def converted(email_key: str, campaign: str) -> dict[str, str]:
    """Marks that a friend's first order in a campaign has been counted."""
    return {"pk": friend_pk(email_key), "sk": f"CONVERTED#{campaign}"}


def order(order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": "ORDER"}


def reward(owner: str, reward_id: str) -> dict[str, str]:
    """A reward lives under its owner (a referral code or a friend), so one query lists them."""
    return {"pk": owner, "sk": f"REWARD#{reward_id}"}


def coupon(coupon_code: str) -> dict[str, str]:
    return {"pk": f"COUPON#{coupon_code}", "sk": "COUPON"}


def marker(kind: str, keyed_hash: str) -> dict[str, str]:
    """A customer marker: one identifier of a buyer, as a keyed hash (never the value)."""
    return {"pk": f"MARKER#{kind}#{keyed_hash}", "sk": "MARKER"}


def review(conversion_id: str) -> dict[str, str]:
    return {"pk": f"REVIEW#{conversion_id}", "sk": "REVIEW"}


def limit(route: str, client: str, window_start: int) -> dict[str, str]:
    """One client's requests to one route in one fixed window (expires soon after it)."""
    return {"pk": f"LIMIT#{route}#{client}#{window_start}", "sk": "LIMIT"}
