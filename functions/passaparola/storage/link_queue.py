"""The link queue on SQS: one message per request for a sign-in or data link."""

from __future__ import annotations

import json
from dataclasses import asdict

from pydantic import BaseModel, ConfigDict, Field

from passaparola.domain.link_requests import LinkKind, LinkRequest
from passaparola.domain.vocabulary import Language
from passaparola.storage import aws


class _Message(BaseModel):
    """`{"kind", "address", "language", "request_id"}`, as the route sent it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: LinkKind
    address: str = Field(min_length=3, max_length=254)
    language: Language
    request_id: str = Field(min_length=1, max_length=64)


def parse(body: str) -> LinkRequest:
    """A message's body as the worker receives it; a pydantic ValidationError if it is none."""
    message = _Message.model_validate_json(body)
    return LinkRequest(message.kind, message.address, message.language, message.request_id)


class LinkQueue:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, request: LinkRequest) -> None:
        # One call, the same whatever the address: what the answer waits on.
        aws.client("sqs").send_message(QueueUrl=self.url, MessageBody=json.dumps(asdict(request)))
