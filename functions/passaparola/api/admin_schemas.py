"""Request and response bodies of the business's routes (reports, referrals, fulfilment,
reviews). OpenAPI is generated from these; the CSV forms have the same fields."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from passaparola.api.schema_base import ApiModel, Incoming
from passaparola.domain.vocabulary import Reason, ReferralStatus, RewardStatus, Role

Money = dict[str, str]
_MONEY = "by currency: the exact decimal amount as a string"
# Who may call the business's routes (OpenAPI security requirements).
ADMIN: list[dict[str, list[str]]] = [{"adminBearer": []}]


class Funnel(ApiModel):
    clicks: int
    visitors: int = Field(description="distinct visitors, an estimate (about 1.6% standard error)")
    claims: int
    orders: int = Field(description="attributed first orders")
    qualified: int = Field(description="referrals that took a slot of the referrer's cap")
    revenue: Money = Field(description=f"of the attributed orders, {_MONEY}")


class Rates(ApiModel):
    claim_rate: float | None = Field(description="claims per click")
    order_rate: float | None = Field(description="orders per click")


class VariantOut(ApiModel):
    id: str
    clicks: int
    claims: int
    orders: int
    order_rate: float | None = Field(description="orders per click")
    lift: float | None = Field(description="relative to the first variant (0.25 is 25% more); null for it")
    p_value: float | None = Field(description="two-sided two-proportion z-test against the first variant")
    enough_data: bool = Field(description="each arm has at least 100 clicks and 5 orders")


class DayOut(ApiModel):
    date: str
    clicks: int
    claims: int
    orders: int


class TimeToConvert(ApiModel):
    p50_hours: float | None = Field(description="median hours from claim to first order")
    p90_hours: float | None


class RewardSum(ApiModel):
    count: int
    value: Money = Field(description=_MONEY)


class TopReferrerOut(ApiModel):
    display_name: str | None
    code: str
    clicks: int
    claims: int
    orders: int


class ReportResponse(ApiModel):
    model_config = ConfigDict(populate_by_name=True)

    campaign: str
    from_: str = Field(alias="from")
    to: str
    funnel: Funnel
    rates: Rates
    variants: list[VariantOut]
    daily: list[DayOut]
    time_to_convert: TimeToConvert
    rejections: dict[str, int] = Field(description="orders that earned nothing, by reason")
    reviews: dict[str, int] = Field(description="orders held for review, by reason")
    rewards: dict[str, RewardSum] = Field(description="rewards earned in the range, by their status now")
    top_referrers: list[TopReferrerOut] = Field(description="all-time, by orders then claims")


class ReferrerOut(ApiModel):
    code: str
    display_name: str | None
    email: str | None


class FriendOut(ApiModel):
    email: str


class OrderOut(ApiModel):
    order_id: str
    at: str
    amount: str | None
    currency: str | None


class ReferralRewardOut(ApiModel):
    id: str
    status: RewardStatus
    kind: str
    value: str | None
    currency: str | None


class ReferralOut(ApiModel):
    claim_id: str
    campaign: str
    referrer: ReferrerOut
    friend: FriendOut
    claimed_at: str
    variant: str | None
    order: OrderOut | None
    hours_to_order: float | None
    status: ReferralStatus
    reward: ReferralRewardOut | None


class ReferralsResponse(ApiModel):
    items: list[ReferralOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null at the end")


class FulfilmentOut(ApiModel):
    reference: str
    at: str
    by: str = Field(description="the admin's email, or key:<first 8 characters> for a machine key")


class OwnerOut(ApiModel):
    kind: str = Field(description="referrer or friend")
    code: str = Field(description="the referral code it was earned through")


class AdminRewardOut(ApiModel):
    id: str = Field(description="opaque and stable: the id for POST /rewards/{id}/fulfilment")
    campaign: str
    role: Role
    kind: str
    description: str
    status: RewardStatus
    value: str | None
    currency: str | None
    owner: OwnerOut
    order_id: str | None
    created_at: str
    issued_at: str | None
    fulfilment: FulfilmentOut | None


class RewardsResponse(ApiModel):
    items: list[AdminRewardOut]
    next_cursor: str | None


class FulfilmentRequest(Incoming):
    reference: Annotated[
        str, Field(min_length=1, max_length=200, description="yours: a transaction, voucher or parcel number")
    ]


class WaitingReviewOut(ApiModel):
    conversion_id: str
    order_id: str
    campaign: str
    reason: Reason
    created_at: str
    rewards: list[str] = Field(description="ids of the rewards held for the decision")


class ReviewsResponse(ApiModel):
    items: list[WaitingReviewOut]
    next_cursor: str | None


def csv_or_json(model: type[BaseModel], description: str) -> dict[int, Any]:
    """A 200 that is JSON, or CSV when asked for (?format=csv or Accept: text/csv)."""
    return {
        200: {
            "description": description,
            "content": {
                "application/json": {"model": model},
                "text/csv": {"schema": {"type": "string", "description": "the same fields, as CSV"}},
            },
        }
    }
