"""Request and response bodies of the public API's functions. OpenAPI is generated from these."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from passaparola.api.schema_base import ApiModel, CodeText, Email, Incoming, Locale, OrderId
from passaparola.domain.money import PlainDecimal
from passaparola.domain.people import MAX_BOARD_NAME, MAX_FRIEND_NAME, MAX_NAME
from passaparola.domain.stats_page import BOARD_DEPTH, BOARD_SHOWN, FRIENDS_SHOWN
from passaparola.domain.text import NoControlCharacter
from passaparola.domain.vocabulary import (
    ConversionStatus,
    Decision,
    FriendStatus,
    InvalidCodeReason,
    Reason,
    RefundStatus,
    RewardStatus,
    Role,
    UnreviewedStatus,
)


class EnrolRequest(Incoming):
    campaign: Annotated[str, Field(min_length=1, max_length=48, examples=["spring"])]
    email: Email
    name: Annotated[str, Field(max_length=MAX_NAME, examples=["Anna"])] | None = None
    locale: Locale | None = None


class EnrolResponse(ApiModel):
    code: str
    share_url: str
    qr: str = Field(description="QR code of share_url, as a data:image/svg+xml URI for an <img>")


class PublicReferrer(ApiModel):
    display_name: str | None = Field(description="the name the referrer chose to show; never an email")


class Offer(ApiModel):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="reward kind, e.g. coupon_percent")
    text: str | None = Field(description="the offer in words, in the requested language")


class CodeValid(ApiModel):
    valid: Literal[True]
    campaign: str
    referrer: PublicReferrer
    offer: Offer | None


class CodeInvalid(ApiModel):
    valid: Literal[False]
    reason: InvalidCodeReason
    error: Literal["invalid_code"]
    message: str


class ClaimRequest(Incoming):
    code: CodeText
    email: Email
    locale: Locale | None = None
    variant: Annotated[str, Field(max_length=8)] | None = None
    name: (
        Annotated[
            str,
            Field(
                max_length=MAX_FRIEND_NAME,
                description="the friend's name, if they give one; their referrer sees only the first "
                "name and the last name's initial",
                examples=["Marco Rossi"],
            ),
        ]
        | None
    ) = None


class RewardOut(ApiModel):
    id: str
    role: Role
    kind: str
    description: str
    status: RewardStatus
    value: str | None = Field(description="decimal amount as a string, exact")
    currency: str | None
    coupon_code: str | None
    created_at: str
    hold_until: str | None
    issued_at: str | None


class FriendReward(ApiModel):
    """The friend's reward as the claim's answer shows it: what it is, never when or whose."""

    kind: str
    description: str
    status: UnreviewedStatus
    value: str | None = Field(description="decimal amount as a string, exact")
    currency: str | None
    coupon_code: str | None = Field(
        description="only in the answer to the claim that created it; otherwise it is emailed"
    )


class ClaimResponse(ApiModel):
    claim_id: str
    campaign: str
    friend_reward: FriendReward | None


class ConversionRequest(Incoming):
    order_id: OrderId
    email: Email
    amount: Annotated[
        Decimal,
        PlainDecimal,
        Field(
            gt=0,
            le=Decimal("1000000000"),
            max_digits=15,
            decimal_places=4,
            allow_inf_nan=False,
        ),
        # pydantic documents any Unicode digit (\d) for the string form; we take 0-9 only
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000000},
                    {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,4})?$"},
                ],
                "description": "no finer than the currency's minor unit (0.01 EUR, 1 JPY, 0.001 BHD)",
                "examples": ["49.90"],
            }
        ),
    ]
    currency: Annotated[
        str,
        Field(
            pattern=r"^[A-Z]{3}$",
            description="an ISO 4217 code of a currency in use (not XXX, not a withdrawn one)",
            examples=["EUR"],
        ),
    ]
    code: (
        Annotated[
            CodeText,
            Field(
                description="the code used at checkout: the referral code, or the coupon the friend was given"
            ),
        ]
        | None
    ) = None
    # Fraud signals, kept only as keyed hashes: never stored as sent.
    customer_id: (
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=128,
                description="the shop's id of the customer's account",
                examples=["4417"],
            ),
        ]
        | None
    ) = None
    address: (
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=512,
                description="the shipping (or billing) address as one line of text; case, accents, "
                "spaces and punctuation do not matter",
                examples=["Via Roma 1, 20100 Milano, IT"],
            ),
        ]
        | None
    ) = None
    payment_fingerprint: (
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=128,
                description="the payment provider's fingerprint of the card or account, "
                "e.g. Stripe's card.fingerprint",
                examples=["Xt5EWLLDS7FJjR1c"],
            ),
        ]
        | None
    ) = None
    # What shapes the invitation to join sent days after the order (README, "Emails"); never stored.
    satisfaction: (
        Annotated[
            int,
            Field(
                strict=True,
                ge=0,
                le=10,
                description="how likely the buyer is to recommend the shop, 0 to 10, if they said "
                "(Net Promoter Score); a campaign may invite only promoters (9 or 10) to join",
                examples=[9],
            ),
        ]
        | None
    ) = None
    locale: (
        Annotated[
            str,
            Field(
                max_length=35,
                pattern=r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$",
                description="the buyer's language or locale (BCP 47): the invitation to join is "
                "written in its language when the campaign has it",
                examples=["pl", "pl-PL"],
            ),
        ]
        | None
    ) = None


class ConversionResponse(ApiModel):
    conversion_id: str
    status: ConversionStatus
    reason: Reason | None = Field(default=None, description="the fraud or eligibility rule that applied")
    rewards: int = Field(
        default=0, description="rewards recorded by this delivery: queued, or held for the review"
    )


class ReviewRequest(Incoming):
    decision: Decision
    note: Annotated[str, Field(max_length=500, description="why, for the record")] | None = None


class RewardStatusOut(ApiModel):
    id: str
    status: RewardStatus


class ReviewResponse(ApiModel):
    conversion_id: str
    order_id: str
    reason: Reason = Field(description="the rule that held the order for review")
    decision: Decision = Field(description="the first decision; a later one changes nothing")
    decided_by: str = Field(description="who decided: shop for a signed call")
    decided_at: str
    note: str | None
    rewards: list[RewardStatusOut] = Field(description="the order's rewards after the decision")


class RefundRequest(Incoming):
    order_id: OrderId


class RefundResponse(ApiModel):
    order_id: str
    status: RefundStatus
    rewards: list[RewardStatusOut]


class IgnoredResponse(ApiModel):
    status: Literal["ignored"]
    reason: str = Field(description="why passaparola has nothing to do with this event")


class NextTierOut(ApiModel):
    after: int = Field(description="rewarded referrals that reach this milestone")
    to_go: int = Field(description="rewarded referrals still needed")
    reward: str = Field(description="the milestone's reward in words, in the page's language")


class ProgressOut(ApiModel):
    counted: int = Field(
        description="referrals whose reward was issued, past the refund window: what milestones count"
    )
    tiers_reached: int
    tiers: int = Field(description="the campaign's milestones")
    next_tier: NextTierOut | None = Field(
        description="null when every milestone is reached, or there are none"
    )


class CapOut(ApiModel):
    max_rewards: int = Field(description="the most referrals one referrer is rewarded for")
    used: int = Field(description="referrals rewarded, or whose reward is on hold or in review")
    reached: bool = Field(
        description="at the cap the referrer earns no more and the link takes no new friends; "
        "rewards already earned still come, and friends who accepted keep their gift"
    )


class FriendOut(ApiModel):
    name: str | None = Field(description="first name and last initial; null when the friend gave none")
    claimed_on: str = Field(description="the day the friend accepted (UTC), YYYY-MM-DD")
    status: FriendStatus = Field(
        description="claimed; ordered (the referrer's reward is on hold or in review); rewarded; "
        "void (the order was refunded or not accepted)"
    )
    reward_on: str | None = Field(description="while ordered: the day the referrer's reward is due")


class BoardRow(ApiModel):
    place: int
    display_name: str
    claims: int
    orders: int


class LeaderboardOut(ApiModel):
    top: list[BoardRow] = Field(
        description=f"the first {BOARD_SHOWN} who opted in; nobody else is shown or counted"
    )
    opted_in: bool
    display_name: str | None = Field(description="the viewer's name on the board, once opted in")
    place: int | None = Field(
        description="the viewer's place; null when not opted in, not ranked yet (no friend has "
        f"accepted), or below the first {BOARD_DEPTH}"
    )
    ranked: bool = Field(
        description=f"whether the viewer has a rank yet (a friend has accepted): with a null place, "
        f"an opted-in viewer is below the first {BOARD_DEPTH}"
    )


class StatsResponse(ApiModel):
    code: str
    campaign: str
    share_url: str
    qr: str = Field(description="QR code of share_url, as a data:image/svg+xml URI for an <img>")
    clicks: int
    claims: int
    conversions: int
    rewards: list[RewardOut]
    progress: ProgressOut
    cap: CapOut | None = Field(description="null when the campaign rewards any number of referrals")
    friends: list[FriendOut] = Field(description=f"newest first, at most {FRIENDS_SHOWN}")
    friends_total: int = Field(description="every friend who claimed through this code")
    leaderboard: LeaderboardOut


class LeaderboardRequest(Incoming):
    opt_in: bool
    display_name: (
        Annotated[
            str,
            NoControlCharacter,
            Field(
                max_length=MAX_BOARD_NAME,
                description="the name to show; by default the first name and initial the referrer "
                "enrolled with",
                examples=["Anna R."],
            ),
        ]
        | None
    ) = None


class Unsubscribed(ApiModel):
    unsubscribed: Literal[True]
    campaign: str = Field(description="the campaign whose emails this address no longer gets")


class DataLinkRequest(Incoming):
    email: Email
    lang: Locale | None = None


class DataLinkRequested(ApiModel):
    message: str


class FraudMarkers(ApiModel):
    email: int = Field(description="keyed hashes of the address kept by the fraud checks (0 or 1)")
    note: str = Field(description="what these are, and why they stay after deletion")


class MyDataExport(ApiModel):
    exported_at: str
    addresses: list[str] = Field(
        description="the addresses found (one mailbox, maybe spelt more than one way)"
    )
    items: dict[str, list[dict[str, Any]]] = Field(
        description=(
            "every item the kit holds about the person, as stored, by kind: referral_codes, "
            "rewards (theirs as a referrer), claims, refusals, first_orders, friend_rewards, "
            "orders (as a buyer), reviews, coupons, notices, unsubscribes, digests, enrolments"
        )
    )
    fraud_markers: FraudMarkers


class MyDataDeleted(ApiModel):
    deleted: int = Field(description="items deleted, or erased of the address and the name")
    kept: int = Field(description="money records kept without the address or the name")
