"""What the business reads: GET /campaigns/{slug}/report, /referrals, /rewards and /reviews.

Every route runs behind the admin gate (api/admin_auth.py). Each answers JSON, or CSV when
asked for. Emails appear in /referrals and nowhere else: the other lists name a referral code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from passaparola.api import admin_views as views
from passaparola.api import csv_export
from passaparola.api.admin_schemas import (
    ADMIN,
    AdminRewardOut,
    DayOut,
    FriendOut,
    Funnel,
    OrderOut,
    Rates,
    ReferralOut,
    ReferralRewardOut,
    ReferralsResponse,
    ReferrerOut,
    ReportResponse,
    ReviewsResponse,
    RewardsResponse,
    RewardSum,
    TimeToConvert,
    TopReferrerOut,
    VariantOut,
    WaitingReviewOut,
    csv_or_json,
)
from passaparola.api.needs import FulfilmentsDep, ReferralsDep, ReportsDep, ReviewQueueDep
from passaparola.api.schema_base import error_responses
from passaparola.domain import reports
from passaparola.domain.admin import public_reward_id
from passaparola.domain.records import Referral, Review

router = APIGatewayHttpRouter()
_PRIVATE = {"Cache-Control": "no-store, private"}
Format = Annotated[Literal["json", "csv"] | None, Query(description="csv for CSV (or Accept: text/csv)")]
Accept = Annotated[str | None, Header()]
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # only this form: pydantic alone would read "0" as 1970-01-01
Since = Annotated[
    str | None, Query(alias="from", pattern=_DAY, description="YYYY-MM-DD, UTC; default: 29 days before to")
]
Until = Annotated[
    str | None, Query(alias="to", pattern=_DAY, description="YYYY-MM-DD, UTC, included; default: today")
]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=50)]
Slug = Annotated[
    str, Query(min_length=1, max_length=48, description="a campaign's slug", examples=["spring"])
]


# --- GET /campaigns/{slug}/report ------------------------------------------------------------


@router.get(
    "/campaigns/<slug>/report",
    summary="A campaign's funnel, A/B variants, time to convert, rewards and top referrers",
    description=(
        "For a range of days (UTC; default the last 30, at most 366 apart), from the counters "
        "kept as things happen: the report's cost does not grow with clicks or orders (the top "
        "referrers' own clicks are counted from their visits, a few small reads each). "
        "?format=csv (or Accept: text/csv) answers CSV in one long table: "
        "section, key, metric, value."
    ),
    tags=["business"],
    responses=csv_or_json(ReportResponse, "The report") | error_responses(401, 404, 422),
    security=ADMIN,
)
def campaign_report(
    slug: Annotated[str, Path(max_length=48, examples=["spring"])],
    reports: ReportsDep,
    since: Since = None,
    until: Until = None,
    format: Format = None,
    accept: Accept = None,
) -> Response[Any]:
    report = reports.report(slug, views.day(since, "from"), views.day(until, "to"))
    body = _report(report)
    if csv_export.wanted(format, accept):
        text = csv_export.render(("section", "key", "metric", "value"), _report_rows(body))
        return csv_export.answer(text, f"{slug}-report-{body.from_}-{body.to}.csv")
    return Response(200, "application/json", body, _PRIVATE)


def _report(report: reports.Report) -> ReportResponse:
    return ReportResponse(
        campaign=report.campaign,
        from_=report.start.isoformat(),
        to=report.end.isoformat(),
        funnel=Funnel(
            clicks=report.clicks,
            visitors=report.visitors,
            claims=report.claims,
            orders=report.orders,
            qualified=report.qualified,
            revenue=views.money(report.revenue),
        ),
        rates=Rates(claim_rate=report.claim_rate, order_rate=report.order_rate),
        variants=[
            VariantOut(
                id=v.id,
                clicks=v.tally.clicks,
                claims=v.tally.claims,
                orders=v.tally.orders,
                order_rate=v.comparison.order_rate,
                lift=v.comparison.lift,
                p_value=v.comparison.p_value,
                enough_data=v.comparison.enough_data,
            )
            for v in report.variants
        ],
        daily=[
            DayOut(date=d.day.isoformat(), clicks=d.clicks, claims=d.claims, orders=d.orders)
            for d in report.daily
        ],
        time_to_convert=TimeToConvert(p50_hours=report.p50_hours, p90_hours=report.p90_hours),
        rejections=dict(report.rejections),
        reviews=dict(report.reviews),
        rewards={
            status: RewardSum(count=tally.count, value=views.money(tally.value))
            for status, tally in report.rewards.items()
        },
        top_referrers=[
            TopReferrerOut(
                display_name=t.display_name, code=t.code, clicks=t.clicks, claims=t.claims, orders=t.orders
            )
            for t in report.top_referrers
        ],
    )


def _report_rows(body: ReportResponse) -> list[tuple[object, ...]]:
    """The report as one long table, a row per figure: it parses with any CSV reader and
    pivots in any spreadsheet."""
    rows: list[tuple[object, ...]] = [
        ("report", body.campaign, "from", body.from_),
        ("report", body.campaign, "to", body.to),
    ]
    funnel = body.funnel
    rows += [
        ("funnel", "", name, getattr(funnel, name))
        for name in ("clicks", "visitors", "claims", "orders", "qualified")
    ]
    rows += [("funnel", currency, "revenue", amount) for currency, amount in funnel.revenue.items()]
    rows += [
        ("rates", "", "claim_rate", body.rates.claim_rate),
        ("rates", "", "order_rate", body.rates.order_rate),
    ]
    for variant in body.variants:
        for name in ("clicks", "claims", "orders", "order_rate", "lift", "p_value", "enough_data"):
            rows.append(("variant", variant.id, name, getattr(variant, name)))
    for day in body.daily:
        rows += [("daily", day.date, name, getattr(day, name)) for name in ("clicks", "claims", "orders")]
    rows += [
        ("time_to_convert", "", "p50_hours", body.time_to_convert.p50_hours),
        ("time_to_convert", "", "p90_hours", body.time_to_convert.p90_hours),
    ]
    rows += [("rejections", reason, "orders", n) for reason, n in body.rejections.items()]
    rows += [("reviews", reason, "orders", n) for reason, n in body.reviews.items()]
    for status, tally in body.rewards.items():
        rows.append(("rewards", status, "count", tally.count))
        rows += [("rewards", status, f"value_{currency}", amount) for currency, amount in tally.value.items()]
    for top in body.top_referrers:
        rows += [
            ("top_referrer", top.code, name, getattr(top, name))
            for name in ("display_name", "clicks", "claims", "orders")
        ]
    return rows


# --- GET /referrals --------------------------------------------------------------------------


@router.get(
    "/referrals",
    summary="Who referred whom: each friend's claim, its order, and its reward",
    description=(
        "Claims made in the range of days, newest first, a page at a time. This list, and "
        "nothing else the business reads, holds email addresses. CSV: the same fields, one row "
        "per claim; the next page's cursor comes in the Next-Cursor header."
    ),
    tags=["business"],
    responses=csv_or_json(ReferralsResponse, "A page of referrals") | error_responses(400, 401, 422),
    security=ADMIN,
)
def list_referrals(
    campaign: Slug,
    referrals: ReferralsDep,
    since: Since = None,
    until: Until = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    format: Format = None,
    accept: Accept = None,
) -> Response[Any]:
    listed = referrals.page(campaign, views.day(since, "from"), views.day(until, "to"), cursor, limit)
    items = [_referral(r) for r in listed.items]
    if csv_export.wanted(format, accept):
        text = csv_export.render(_REFERRAL_COLUMNS, (_referral_row(item) for item in items))
        return csv_export.answer(text, f"{campaign}-referrals.csv", listed.next_cursor)
    body = ReferralsResponse(items=items, next_cursor=listed.next_cursor)
    return Response(200, "application/json", body, _PRIVATE)


def _referral(referral: Referral) -> ReferralOut:
    claim, referrer, order, reward = referral.claim, referral.referrer, referral.order, referral.reward
    first = referral.first_order
    return ReferralOut(
        claim_id=claim.claim_id,
        campaign=claim.campaign,
        referrer=ReferrerOut(
            code=claim.code,
            display_name=referrer.display_name if referrer else None,
            email=referrer.email if referrer else None,
        ),
        friend=FriendOut(email=claim.email),
        claimed_at=views.time(claim.claimed_at) or "",
        variant=claim.variant,
        order=OrderOut(
            order_id=first.order_id,
            at=views.time(first.at) or "",
            amount=views.amount(order.amount, order.currency) if order else None,
            currency=order.currency if order else None,
        )
        if first
        else None,
        hours_to_order=reports.hours_to_order(referral),
        status=reports.referral_status(referral),
        reward=ReferralRewardOut(
            id=public_reward_id(reward.ref),
            status=reward.status,
            kind=reward.kind,
            value=views.amount(reward.value, reward.currency),
            currency=reward.currency,
        )
        if reward
        else None,
    )


_REFERRAL_COLUMNS = (
    "claim_id", "campaign", "referrer_code", "referrer_display_name", "referrer_email", "friend_email",
    "claimed_at", "variant", "order_id", "order_at", "order_amount", "order_currency", "hours_to_order",
    "status", "reward_id", "reward_status", "reward_kind", "reward_value", "reward_currency",
)  # fmt: skip


def _referral_row(item: ReferralOut) -> tuple[object, ...]:
    order, reward = item.order, item.reward
    return (
        item.claim_id, item.campaign, item.referrer.code, item.referrer.display_name, item.referrer.email,
        item.friend.email, item.claimed_at, item.variant,
        order.order_id if order else None, order.at if order else None,
        order.amount if order else None, order.currency if order else None,
        item.hours_to_order, item.status,
        reward.id if reward else None, reward.status if reward else None, reward.kind if reward else None,
        reward.value if reward else None, reward.currency if reward else None,
    )  # fmt: skip


# --- GET /rewards ----------------------------------------------------------------------------


@router.get(
    "/rewards",
    summary="Rewards waiting for the business to give them (credit, cash, gift cards, gifts...)",
    description=(
        "Issued rewards of the kinds the kit cannot give by itself, not yet marked fulfilled, "
        "oldest first. Only status=issued&fulfilled=false is listed (the defaults). Owners are "
        "named by referral code: /referrals has their addresses."
    ),
    tags=["business"],
    responses=csv_or_json(RewardsResponse, "A page of rewards to fulfil") | error_responses(400, 401, 422),
    security=ADMIN,
)
def rewards_to_fulfil(
    fulfilments: FulfilmentsDep,
    status: Annotated[Literal["issued"], Query()] = "issued",
    fulfilled: Annotated[Literal["false"], Query()] = "false",
    campaign: Annotated[str | None, Query(min_length=1, max_length=48)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    format: Format = None,
    accept: Accept = None,
) -> Response[Any]:
    listed = fulfilments.to_fulfil(campaign, cursor, limit)
    items = [views.admin_reward(r) for r in listed.items]
    if csv_export.wanted(format, accept):
        columns = _REWARD_COLUMNS
        rows = (
            (
                i.id,
                i.campaign,
                i.kind,
                i.description,
                i.value,
                i.currency,
                i.owner.kind,
                i.owner.code,
                *_ends(i),
            )
            for i in items
        )
        return csv_export.answer(
            csv_export.render(columns, rows), "rewards-to-fulfil.csv", listed.next_cursor
        )
    return Response(
        200, "application/json", RewardsResponse(items=items, next_cursor=listed.next_cursor), _PRIVATE
    )


_REWARD_COLUMNS = (
    "id", "campaign", "kind", "description", "value", "currency",
    "owner_kind", "code", "order_id", "issued_at",
)  # fmt: skip


def _ends(item: AdminRewardOut) -> tuple[str | None, str | None]:
    return item.order_id, item.issued_at


# --- GET /reviews ----------------------------------------------------------------------------


@router.get(
    "/reviews",
    summary="Orders held for review, waiting for a decision",
    description="Oldest first. Decide each with POST /reviews/{conversion_id}.",
    tags=["business"],
    responses=csv_or_json(ReviewsResponse, "A page of orders to review") | error_responses(400, 401, 422),
    security=ADMIN,
)
def reviews_waiting(
    review_queue: ReviewQueueDep,
    status: Annotated[Literal["waiting"], Query()] = "waiting",
    campaign: Annotated[str | None, Query(min_length=1, max_length=48)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    format: Format = None,
    accept: Accept = None,
) -> Response[Any]:
    listed = review_queue.waiting_reviews(campaign, cursor, limit)
    items = [_review(r) for r in listed.items]
    if csv_export.wanted(format, accept):
        columns = ("conversion_id", "order_id", "campaign", "reason", "created_at", "reward_ids")
        rows = (
            (i.conversion_id, i.order_id, i.campaign, i.reason, i.created_at, " ".join(i.rewards))
            for i in items
        )
        return csv_export.answer(csv_export.render(columns, rows), "reviews-waiting.csv", listed.next_cursor)
    return Response(
        200, "application/json", ReviewsResponse(items=items, next_cursor=listed.next_cursor), _PRIVATE
    )


def _review(review: Review) -> WaitingReviewOut:
    return WaitingReviewOut(
        conversion_id=review.conversion_id,
        order_id=review.order_id,
        campaign=review.campaign,
        reason=review.reason,
        created_at=views.time(review.created_at) or "",
        rewards=[public_reward_id(ref) for ref in review.rewards],
    )
