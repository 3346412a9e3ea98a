"""The release schedule: queues rewards whose hold has ended (and any pending reward whose
first queue message was lost)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import wiring
from passaparola.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

# One run's share; the next run takes the rest.
BATCH = 1000


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    released = wiring.release_schedule().release_due(BATCH)
    metrics.add_metric(name="RewardsReleased", unit=MetricUnit.Count, value=released)
    logger.info("released due rewards", extra={"released": released})
    return {"released": released}
