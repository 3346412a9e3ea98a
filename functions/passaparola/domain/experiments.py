"""A/B statistics of a campaign's landing-page variants: pure arithmetic, no libraries.

Each variant is an arm of clicks (trials) and orders (successes). An arm is compared with the
first variant (the baseline): its order rate, the lift over the baseline, and the two-sided
p-value of the pooled two-proportion z-test, the test a marketer's calculator runs. Below a
minimum sample (MIN_CLICKS and MIN_ORDERS in both arms) the normal approximation the test
rests on is poor, so `enough_data` is false and the console says "not enough data yet".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_CLICKS = 100
MIN_ORDERS = 5


@dataclass(frozen=True)
class Arm:
    clicks: int
    orders: int

    @property
    def order_rate(self) -> float | None:
        return self.orders / self.clicks if self.clicks else None

    @property
    def sampled(self) -> bool:
        return self.clicks >= MIN_CLICKS and self.orders >= MIN_ORDERS


@dataclass(frozen=True)
class Comparison:
    order_rate: float | None
    lift: float | None  # relative: 0.25 is 25% more orders per click than the baseline
    p_value: float | None
    enough_data: bool


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def lift(arm: Arm, baseline: Arm) -> float | None:
    if arm.order_rate is None or not baseline.order_rate:
        return None
    return arm.order_rate / baseline.order_rate - 1


def p_value(arm: Arm, baseline: Arm) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test; None where it is undefined (an
    arm without clicks, or no variance at all: every click ordered, or none did)."""
    if not arm.clicks or not baseline.clicks:
        return None
    pooled = (arm.orders + baseline.orders) / (arm.clicks + baseline.clicks)
    variance = pooled * (1 - pooled) * (1 / arm.clicks + 1 / baseline.clicks)
    if variance <= 0:
        return None
    z = (arm.orders / arm.clicks - baseline.orders / baseline.clicks) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def compare(arm: Arm, baseline: Arm) -> Comparison:
    return Comparison(
        order_rate=arm.order_rate,
        lift=lift(arm, baseline),
        p_value=p_value(arm, baseline),
        enough_data=arm.sampled and baseline.sampled,
    )
