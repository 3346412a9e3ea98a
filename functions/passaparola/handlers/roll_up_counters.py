"""RollUpCounters: the table's stream, through its event source mapping (filtered to the
records it counts, in batches), into the counters the reports and stats pages read.

Any failure fails the whole invocation: the event source mapping then hands over the same
batch again, and the checkpoint kept under it (services/counters.py) skips what was added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passaparola import wiring
from passaparola.observability import logger
from passaparola.storage import stream

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    batch, changes = stream.batch(event.get("Records", []))
    return {"counted": wiring.counter_rollup().roll_up(batch, changes)}
