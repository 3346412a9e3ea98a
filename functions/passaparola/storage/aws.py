"""boto3 clients, created on first use.

Lazy creation matters twice: a cold start that never touches SES does not pay for an SES
client, and tests can start moto before any client exists. The endpoint comes from
AWS_ENDPOINT_URL when set (the local stack), so no code here knows whether it runs locally.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Lambda's own timeout bounds the total; keep each attempt short and let botocore retry.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget every client (tests that switch endpoints or credentials call this)."""
    client.cache_clear()
