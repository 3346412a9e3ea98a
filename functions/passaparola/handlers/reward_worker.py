"""The reward worker: takes the SQS reward queue in batches, with partial-batch failure.

Each message asks to move one reward on from a given status. The powertools idempotency
record (keyed on owner, reward and that status, never on the raw body) returns the first
result to a redelivery; below it, every ledger step is a conditional write, so even a run
that timed out half-way and is retried cannot issue twice.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from passaparola import config, wiring
from passaparola.observability import logger, metrics
from passaparola.storage import idempotency
from passaparola.storage.queue import RewardMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

# When every record fails, powertools would raise by default: the whole batch then returns to
# the queue, logged as a crash. Naming every message instead keeps one answer for every batch,
# and the queue's redrive policy still moves each message to the dead-letter queue after
# maxReceiveCount receives.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _advance(message: dict[str, Any]) -> dict[str, Any]:
    item = wiring.reward_lifecycle().advance(message["owner"], message["reward_id"])
    metrics.add_metric(
        name=f"Reward{item['status'].title().replace('_', '')}", unit=MetricUnit.Count, value=1
    )
    return {"reward_id": item["reward_id"], "status": item["status"]}


@cache
def _idempotent() -> tuple[Any, IdempotencyConfig]:
    return idempotency.once(
        _advance,
        table_name=config.settings().table_name,
        kind="rewards",
        argument="message",
        key="[owner, reward_id, from_status]",
        expires_after_seconds=24 * 3600,
    )


def record_handler(record: SQSRecord) -> dict[str, Any]:
    message = RewardMessage.model_validate_json(record.body)
    advance, _ = _idempotent()
    result: dict[str, Any] = advance(message=message.model_dump())
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    _idempotent()[1].register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
