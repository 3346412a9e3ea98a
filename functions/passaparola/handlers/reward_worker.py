"""The reward worker: takes the SQS reward queue in batches, with partial-batch failure.

Each message asks to move one reward on from a given status (or to send one lifecycle email,
services/lifecycle.py). The powertools idempotency record (keyed on owner, reward and that
status, never on the raw body) returns the first result to a redelivery; below it, every
ledger step is a conditional write, so even a run that timed out half-way and is retried
cannot issue twice.
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

    from passaparola.domain.records import RewardMessage
    from passaparola.domain.vocabulary import RewardStatus

# When every record fails, powertools would raise by default: the whole batch then returns to
# the queue, logged as a crash. Naming every message instead keeps one answer for every batch,
# and the queue's redrive policy still moves each message to the dead-letter queue after
# maxReceiveCount receives.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class Moved:
    reward_id: str
    status: RewardStatus


def _advance(request: RewardMessage) -> Moved:
    reward = wiring.reward_lifecycle().advance(request.ref)
    return Moved(reward_id=reward.reward_id, status=reward.status)


ADVANCE = Once("rewards", _advance, Moved, key="[owner.kind, owner.id, reward_id, from_status]")


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> Moved | None:
    # The records come with the first message, as the ledger's services do, not at import.
    from passaparola.domain.records import NoticeMessage
    from passaparola.storage import queue

    # A body that is not a message fails here, alone: its batch goes on.
    message = queue.parse(record.body)
    if isinstance(message, NoticeMessage):
        # A lifecycle email: sent once by its own conditional writes (services/lifecycle.py).
        wiring.lifecycle().send(message.notice_id)
        return None
    return wiring.idempotency().run(ADVANCE, message, context=lambda_context)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
