"""Secrets from AWS Secrets Manager, through powertools Parameters (cached between invocations)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.parameters import get_secret

# Long enough that a warm function rarely calls Secrets Manager; short enough that a rotated
# secret is picked up within minutes.
MAX_AGE_SECONDS = 300


def read(secret_id: str) -> str:
    value = get_secret(secret_id, max_age=MAX_AGE_SECONDS)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"secret {secret_id} is empty or not text")
    return value.strip()
