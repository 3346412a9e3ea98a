"""SendLinks: takes the link queue in batches, and sends each sign-in or data link to the
address it was asked for, if the address is one the link is for (services/link_requests.py).

The powertools idempotency record, keyed on the request's own id, answers a redelivery of
its message without a second token or email. A message that fails stays on the queue for the
next receive (partial batch response), and after maxReceiveCount goes to the dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from passaparola import wiring
from passaparola.observability import logger
from passaparola.storage.idempotency import Once

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from passaparola.domain.link_requests import LinkRequest

# One answer for every batch, all-failed ones too (see the reward worker).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class Handled:
    # Not whether a link went: the record outlives the request, and must not say who is known.
    request_id: str


def _send(request: LinkRequest) -> Handled:
    wiring.link_sender().send(request)
    return Handled(request.request_id)


SEND = Once("links", _send, Handled, key="request_id")


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> Handled:
    from passaparola.storage import link_queue

    # A body that is not a request fails here, alone: its batch goes on.
    return wiring.idempotency().run(SEND, link_queue.parse(record.body), context=lambda_context)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
