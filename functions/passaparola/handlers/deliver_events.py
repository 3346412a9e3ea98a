"""DeliverEvents: takes the event queue in batches, posts each event to its endpoint, signed,
and answers the messages that failed (partial batch response).

A failed delivery stays on the queue, out of sight for longer after each receive (30 s, 1 min,
2 min... at most an hour: domain.events.retry_delay), with the same webhook-id every time;
after the queue's maxReceiveCount it goes to the dead-letter queue, whose alarm fires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from passaparola import wiring
from passaparola.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

# One answer for every batch, all-failed ones too (see the reward worker).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> bool:
    from passaparola.domain.events import retry_delay
    from passaparola.storage import events

    try:
        delivery = events.parse(record.body)
        if not wiring.event_delivery().deliver(delivery):
            logger.warning("event for an endpoint no longer listed", extra={"endpoint": delivery.endpoint})
        return True
    except Exception:
        receives = int(record.attributes.approximate_receive_count or 1)
        delay = retry_delay(receives, wiring.event_retry_seconds())
        wiring.event_queue().retry_later(record.receipt_handle, delay)
        logger.exception("event not delivered", extra={"message_id": record.message_id, "retry_in": delay})
        raise


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
