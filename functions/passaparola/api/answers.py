"""What the shop's order and refund calls answer, the same through every route that takes them
(the signed /conversions and /refunds, and each platform's own webhooks), and how long a
redelivery gets the first answer back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passaparola import wiring
from passaparola.api.schemas import ConversionResponse, RefundResponse, RewardStatusOut
from passaparola.domain.vocabulary import RewardStatus

if TYPE_CHECKING:
    from passaparola.domain.orders import PaidOrder

# Shop platforms retry failed webhooks for up to about three days.
REPLAY_WINDOW_SECONDS = 3 * 24 * 3600


def conversion_answer(order: PaidOrder) -> ConversionResponse:
    """A paid order converted, as every route that takes one answers it."""
    converted = wiring.conversions().convert(order)
    return ConversionResponse(
        conversion_id=converted.conversion_id,
        status=converted.status,
        reason=converted.reason,
        rewards=converted.rewards,
    )


def refund_answer(order_id: str) -> RefundResponse:
    """A refund taken, as every route that takes one answers it."""
    refunded = wiring.refunds().refund(order_id)
    return RefundResponse(
        order_id=refunded.order_id,
        status=refunded.status,
        rewards=_statuses(refunded.rewards),
    )


def _statuses(rewards: dict[str, RewardStatus]) -> list[RewardStatusOut]:
    return [RewardStatusOut(id=reward_id, status=status) for reward_id, status in rewards.items()]
