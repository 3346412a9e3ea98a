"""powertools idempotency records, kept in the one table under IDEMPOTENCY#<kind>."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from passaparola.storage import aws

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig


def once(
    work: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    table_name: str,
    kind: str,
    argument: str,
    key: str,
    payload: str = "",
    expires_after_seconds: int,
) -> tuple[Callable[..., dict[str, Any]], IdempotencyConfig]:
    """`work` made idempotent on the `key` JMESPath of its `argument` (a parsed field, never a
    raw body), refusing the same key with another `payload`. Returns the wrapped function and
    its config, which wants each invocation's Lambda context."""
    # powertools idempotency imports boto3: built with the first request, not at import.
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    layer = DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{kind}",
        expiry_attr="expires_at",
        boto3_client=aws.client("dynamodb"),
    )
    settings = IdempotencyConfig(
        event_key_jmespath=key,
        payload_validation_jmespath=payload,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=expires_after_seconds,
    )
    wrapped = idempotent_function(data_keyword_argument=argument, config=settings, persistence_store=layer)(
        work
    )
    return wrapped, settings
