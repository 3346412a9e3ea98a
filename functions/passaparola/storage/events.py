"""The event queue on SQS (one message per event and endpoint), and posting to an endpoint."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from passaparola.domain.events import Delivery
from passaparola.storage import aws
from passaparola.storage.queue import QueueError

POST_TIMEOUT_SECONDS = 5


class DeliveryFailed(Exception):
    pass


def parse(body: str) -> Delivery:
    """A message's body as the deliverer receives it; ValueError or KeyError if it is none."""
    message = json.loads(body)
    return Delivery(str(message["endpoint"]), str(message["id"]), str(message["body"]).encode())


class EventQueue:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, deliveries: Sequence[Delivery]) -> None:
        client = aws.client("sqs")
        for start in range(0, len(deliveries), 10):
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": json.dumps(
                        {"endpoint": d.endpoint, "id": d.event_id, "body": d.body.decode()}
                    ),
                }
                for i, d in enumerate(deliveries[start : start + 10])
            ]
            response = client.send_message_batch(QueueUrl=self.url, Entries=entries)
            if response.get("Failed"):
                raise QueueError(json.dumps(response["Failed"]))

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        """Keep a message out of sight for `seconds`: the next try waits that long."""
        aws.client("sqs").change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )


def post(url: str, body: bytes, headers: Mapping[str, str]) -> None:
    """POST `body`; DeliveryFailed unless the endpoint answers 2xx in time."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 - the brand file's URL
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryFailed(f"{url} did not answer: {exc}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{url} answered {status}")
