"""Messages the reward worker can never process: answered as failures, then dead-lettered."""

import json

import pytest

from passaparola.storage import aws
from tests.support import poll

pytestmark = pytest.mark.integration

POISON = {
    "not-json": "{not json",
    "wrong-shape": json.dumps({"unexpected": True}),
    "no-such-reward": json.dumps(
        {
            "owner": {"kind": "referrer", "id": "SHARE-BCDFGHJKM"},
            "reward_id": "nope",
            "from_status": "pending",
        }
    ),
}


def test_a_batch_of_nothing_but_poison_is_answered_naming_every_message(client):
    batch = [{"MessageId": name, "ReceiptHandle": name, "Body": body} for name, body in POISON.items()]
    answer = client.gateway.deliver("RewardWorkerFunction", batch, client.stack.arn("RewardQueue"))
    assert answer == {"batchItemFailures": [{"itemIdentifier": name} for name in POISON]}


@pytest.mark.slow
def test_a_poison_message_is_dead_lettered_after_five_receives(client):
    sqs = aws.client("sqs")
    url, arn = client.stack.ref("RewardQueue"), client.stack.arn("RewardQueue")
    dead_letters = client.stack.ref("RewardDeadLetterQueue")
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(policy["RedrivePolicy"])["maxReceiveCount"] == 5  # the template's
    # the template's queue, with a visibility timeout short enough for a test
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    sent = sqs.send_message(QueueUrl=url, MessageBody="{not json")["MessageId"]
    answers = []

    def event_source_mapping_round():
        """Receive as Lambda's poller does, hand the batch over, delete what the worker did not name."""
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if messages:
            answer = client.gateway.deliver("RewardWorkerFunction", messages, arn)
            answers.append(answer)
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        attributes = sqs.get_queue_attributes(
            QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"

    poll(event_source_mapping_round, timeout=30, every=0.1)
    assert answers == [{"batchItemFailures": [{"itemIdentifier": sent}]}] * 5
    (dead,) = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)["Messages"]
    assert (dead["MessageId"], dead["Body"]) == (sent, "{not json")
