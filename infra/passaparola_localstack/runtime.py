"""What the Lambda runtime does for a handler, locally: it imports the handler by the dotted
string the template names, so what runs here is what runs in Lambda, and calls it with an
event and a context."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HandlerFn = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalContext:
    """What powertools reads from a Lambda context."""

    function_name: str
    timeout_seconds: int = 30
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(dotted: str) -> HandlerFn:
    module, _, name = dotted.rpartition(".")
    handler: HandlerFn = getattr(importlib.import_module(module), name)
    return handler
