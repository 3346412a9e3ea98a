"""PublishEvents: the table's stream, through its own event source mapping (filtered to the
records that can mean an event), onto the event queue: one message per event and endpoint.

A failure fails the whole batch, which the mapping hands over again (bisected down to the
record at fault): an event may be queued twice, with the same webhook-id, and receivers keep
that id to take each event once.
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
    return {"queued": wiring.event_publisher().publish(stream.events(event.get("Records", [])))}
