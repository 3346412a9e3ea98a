"""The reward queue on SQS, and the shape of its messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from pydantic import BaseModel, ConfigDict, ValidationError

from passaparola.domain.records import NoticeMessage, Owner, QueueMessage, RewardMessage
from passaparola.domain.vocabulary import OwnerKind, RewardStatus
from passaparola.storage import aws


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Owner(_Strict):
    kind: OwnerKind
    id: str


class _Message(_Strict):
    """A message as it travels: `{"owner": {"kind", "id"}, "reward_id", "from_status"}`."""

    owner: _Owner
    reward_id: str
    from_status: RewardStatus


class _Notice(_Strict):
    """A lifecycle email to send: `{"notice_id"}`."""

    notice_id: str


def parse(body: str) -> QueueMessage:
    """A message's body as the worker receives it; a pydantic ValidationError if it is none."""
    try:
        message = _Message.model_validate_json(body)
    except ValidationError:
        return NoticeMessage(_Notice.model_validate_json(body).notice_id)
    return RewardMessage(Owner(message.owner.kind, message.owner.id), message.reward_id, message.from_status)


class QueueError(Exception):
    pass


class RewardQueue:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, messages: Sequence[QueueMessage]) -> None:
        client = aws.client("sqs")
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            response = client.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps(asdict(m))} for i, m in enumerate(chunk)],
            )
            if response.get("Failed"):
                raise QueueError(json.dumps(response["Failed"]))
