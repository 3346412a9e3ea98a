"""The reward queue on SQS."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from passaparola.storage import aws


class RewardMessage(BaseModel):
    """Asks the worker to move one reward on from `from_status`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str
    reward_id: str
    from_status: str


class QueueError(Exception):
    pass


class RewardQueue:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, messages: Sequence[RewardMessage]) -> None:
        client = aws.client("sqs")
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            response = client.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "MessageBody": m.model_dump_json()} for i, m in enumerate(chunk)],
            )
            if response.get("Failed"):
                raise QueueError(json.dumps(response["Failed"]))
