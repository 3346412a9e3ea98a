"""The words the kit speaks, defined once: statuses, roles, reasons and error codes.

The domain, the API's schemas (and so the OpenAPI document) and the site's words all import
them from here, so a status the API can answer is a status the pages have words for.
"""

from __future__ import annotations

from typing import Literal, get_args

# The languages the kit speaks: passaparola/i18n holds the words of each.
Language = Literal["en", "it", "fr", "pl", "ru"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

# --- rewards ---------------------------------------------------------------------------------

# A reward given without an order to review (a friend's, at claim) never has the first status.
UnreviewedStatus = Literal["pending", "held", "issued", "void", "clawed_back"]
RewardStatus = Literal["review", UnreviewedStatus]
REWARD_STATUSES: tuple[RewardStatus, ...] = get_args(RewardStatus)

# What a refund did to an issued reward's code in the shop: pending until the shop answers; then
# deactivated (unused, and no longer usable), used (spent before the refund: a clawback only),
# or absent (the shop never held it: a code the business was to create by hand).
Revoked = Literal["deactivated", "used", "absent"]
ShopRevocation = Literal["pending", Revoked]

Role = Literal["referrer", "friend", "tier", "second_level"]
ROLES: tuple[Role, ...] = get_args(Role)

# Whom a reward belongs to: the referrer (by referral code) or the friend (by email key).
OwnerKind = Literal["referrer", "friend"]

# The emails the lifecycle schedules, each once (services/lifecycle.py), and what became of one.
NoticeKind = Literal[
    "friend_claimed", "order_attributed", "cap_reached", "coupon_reminder", "referrer_nudge", "purchase_ask"
]
NoticeOutcome = Literal["sent", "unsubscribed", "switched_off", "not_needed"]

# --- orders and their reviews ----------------------------------------------------------------

# An order as recorded; `refunded` is a refund that came before the order itself.
OrderStatus = Literal["queued", "rejected", "review", "refunded"]
# What POST /conversions answers about one delivery of an order.
ConversionStatus = Literal["queued", "duplicate", "rejected", "review"]
RefundStatus = Literal["refunded", "noted"]  # noted: an order the shop never reported
# How an order found its referral: a referral code it reported, a friend's coupon it reported
# (standing for that friend's claim), or a claim the buyer made earlier.
Via = Literal["code", "coupon", "claim"]
Decision = Literal["approve", "reject"]
# What a referral came to, as the business's list of referrals says it.
ReferralStatus = Literal["claimed", "ordered", "rewarded", "rejected", "review"]
# What came of a friend, for the referrer: accepted the offer; ordered (the referrer's reward
# waits for the refund window or the business's review); rewarded; or no reward after all
# (the order was refunded or not accepted).
FriendStatus = Literal["claimed", "ordered", "rewarded", "void"]
FRIEND_STATUSES: tuple[FriendStatus, ...] = get_args(FriendStatus)
# Reward kinds the kit gives itself, each with a code; the business gives every other kind.
COUPON_KINDS = frozenset({"coupon_percent", "coupon_fixed"})

# The switchable fraud checks: a campaign runs each one enforced, in shadow, or off.
FraudCheck = Literal[
    "self_referral",
    "disposable_email",
    "existing_customer",
    "shared_address",
    "shared_payment",
    "same_client",
]
FRAUD_CHECKS: tuple[FraudCheck, ...] = get_args(FraudCheck)
# Why an order earned nothing or waits for a review (the order's and the answer's `reason`).
Reason = Literal[
    "unattributed",
    "campaign_inactive",
    "code_inactive",
    FraudCheck,
    "currency_mismatch",
    "below_minimum",
    "attribution_expired",
    "repeat_customer",
    "cap_reached",
    "refunded",
]
REASONS: tuple[Reason, ...] = get_args(Reason)

# --- codes and errors ------------------------------------------------------------------------

# Why GET /codes/{code} refuses a code.
InvalidCodeReason = Literal["unknown", "expired", "inactive", "cap_reached"]
INVALID_CODE_REASONS: tuple[InvalidCodeReason, ...] = get_args(InvalidCodeReason)

# The `error` of every error answer: stable names that pages and shops can act on.
ErrorCode = Literal[
    # the request itself
    "forbidden",
    "unsupported_media_type",
    "payload_too_large",
    "malformed_body",
    "malformed_json",
    "too_deep",
    "invalid_request",
    "invalid_input",
    "invalid_signature",
    "invalid_token",
    "invalid_cursor",
    "unauthorized",
    "webhook_id_reused",
    "not_found",
    "rate_limited",
    # what the domain refuses
    "unknown_campaign",
    "campaign_inactive",
    "invalid_code",
    "self_referral",
    "rejected_email",
    "disposable_email",
    "not_fulfillable",
    # try again
    "in_progress",
    "conflict",
    "internal_error",
]
ERROR_CODES: tuple[ErrorCode, ...] = get_args(ErrorCode)

# What the business is told of, by signed webhooks (domain.events).
EventType = Literal[
    "referrer.enrolled",
    "referral.claimed",
    "order.attributed",
    "order.rejected",
    "order.review",
    "reward.held",
    "reward.issued",
    "reward.voided",
    "reward.clawed_back",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
