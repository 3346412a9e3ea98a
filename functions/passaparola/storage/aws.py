"""boto3 clients, created on first use.

Lazy creation matters three times: importing a handler does not pay for boto3 (a cold start
imports it once, on the first call that needs AWS); a function that never touches SES never
builds an SES client; and tests can start moto before any client exists. The endpoint comes
from AWS_ENDPOINT_URL when set (the local stack), so no code here knows where it runs.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

# The AWS services the functions call. The Lambda artifact carries botocore's models of these
# alone (a few hundred KB of its 28 MB); a function calling another would fail at once there.
SERVICES = ("dynamodb", "secretsmanager", "sesv2", "sqs")


@cache
def _session() -> boto3.session.Session:
    import boto3

    return boto3.session.Session()


def client(service: str) -> Any:
    return _client(service, os.environ.get("AWS_ENDPOINT_URL"))


@cache
def _client(service: str, endpoint: str | None) -> Any:
    """One client per service and endpoint: boto3 reads AWS_ENDPOINT_URL when it builds a
    client, and the client keeps it."""
    from botocore.config import Config

    # Lambda's own timeout bounds the total; keep each attempt short and let botocore retry.
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return _session().client(service, config=config)  # type: ignore[call-overload]


def reset() -> None:
    """Forget every client (tests that switch endpoints or credentials call this)."""
    _client.cache_clear()
    _session.cache_clear()
