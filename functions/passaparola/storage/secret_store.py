"""Secrets from AWS Secrets Manager, through powertools Parameters (cached between invocations)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from passaparola.storage import aws

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

# Long enough that a warm function rarely calls Secrets Manager; short enough that a rotated
# secret is picked up within minutes.
MAX_AGE_SECONDS = 300


@cache
def _provider() -> SecretsProvider:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider  # imports boto3: first use only

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def read(secret_id: str) -> str:
    value = _provider().get(secret_id, max_age=MAX_AGE_SECONDS)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"secret {secret_id} is empty or not text")
    return value.strip()


def forget() -> None:
    """Drop cached values (and the client: its endpoint may have changed)."""
    _provider.cache_clear()
