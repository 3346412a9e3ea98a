"""powertools idempotency records, kept in the one table under IDEMPOTENCY#<kind>.

One helper for every caller: the shop's webhooks (keyed on webhook-id) and the reward worker
(keyed on the message's reward and status) declare their work as a `Once`, and run it through
the `Idempotency` the composition root (wiring.idempotency) builds on the table; a repeat gets
the first answer back, typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, is_dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from passaparola.storage import aws

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

Request = TypeVar("Request")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class Once(Generic[Request, Answer]):
    """`work` run once per idempotency key, its answer (a pydantic model or a dataclass) kept
    for repeats and given back as that type.

    `work` takes the request as its argument named `request`. `key` and `payload` are
    JMESPath expressions over the request (a dataclass or a pydantic model, as powertools dumps
    it): the key must name parsed fields, never a raw body, and a repeat of the key with
    another `payload` is refused.
    """

    kind: str
    work: Callable[[Request], Answer]
    answer: type[Answer]
    key: str
    payload: str = ""
    expires_after_seconds: int = 24 * 3600
    # What a repeat answers, from the first answer (None: the first answer itself).
    on_repeat: Callable[[Answer], Answer] | None = None


@dataclass(frozen=True)
class Idempotency:
    """The table every `Once` keeps its records in."""

    table: str

    def run(self, once: Once[Request, Answer], request: Request, *, context: LambdaContext) -> Answer:
        """Busy while another run holds the key. Only webhooks check a payload, so a repeat of
        the key with another one is a webhook-id reused for another body."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        from passaparola.domain.errors import Busy, InvalidInput

        wrapped, settings = _wrapped(once, self.table)
        settings.register_lambda_context(context)
        try:
            answer: Answer = wrapped(request=request)
        except IdempotencyAlreadyInProgressError:
            raise Busy("this request is being processed right now; retry shortly") from None
        except IdempotencyValidationError:
            raise InvalidInput(
                "this webhook-id was already used for a different body", code="webhook_id_reused"
            ) from None
        return answer


@cache
def _wrapped(once: Once[Any, Any], table: str) -> tuple[Callable[..., Any], IdempotencyConfig]:
    # powertools idempotency imports boto3: built with the first request, not at import.
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.dataclass import DataclassSerializer
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

    layer = DynamoDBPersistenceLayer(
        table_name=table,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{once.kind}",
        expiry_attr="expires_at",
        boto3_client=aws.client("dynamodb"),
    )
    settings = IdempotencyConfig(
        event_key_jmespath=once.key,
        payload_validation_jmespath=once.payload,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=once.expires_after_seconds,
        response_hook=(lambda answer, _record: repeat(answer)) if (repeat := once.on_repeat) else None,
    )
    wrapped = idempotent_function(
        data_keyword_argument="request",
        config=settings,
        persistence_store=layer,
        output_serializer=(DataclassSerializer if is_dataclass(once.answer) else PydanticSerializer)(
            once.answer
        ),
    )(once.work)
    return wrapped, settings


def forget() -> None:
    """Drop the persistence layers (tests that watch a new DynamoDB client rebuild them, as a
    cold start would)."""
    _wrapped.cache_clear()
