"""The tests' moto stack (tests/moto_stack.py) is built once and handed to each test empty."""

import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from passaparola.storage import aws
from tests.moto_stack import SessionStack
from tests.support import SENDER

pytestmark = pytest.mark.integration


@pytest.fixture
def session_stack():
    yield SessionStack(
        {"SiteUrl": "http://site.test", "ApiUrl": "http://api.test", "MailFrom": SENDER},
        {"WebhookSecret": "whsec_first"},
        SENDER,
        prefix="emptied",
    )
    with mock_aws():  # leaves moto empty: the suite's own stack is built again when next asked for
        pass


def _dirty(stack) -> None:
    """What a test leaves behind: an item, a message on each queue, a rotated secret, a
    shortened visibility timeout, an email."""
    aws.client("dynamodb").put_item(
        TableName=stack.ref("Table"), Item={"pk": {"S": "REF#X"}, "sk": {"S": "REF"}}
    )
    sqs = aws.client("sqs")
    for queue in ("RewardQueue", "EventQueue"):
        sqs.send_message(QueueUrl=stack.ref(queue), MessageBody="{}")
    sqs.set_queue_attributes(QueueUrl=stack.ref("RewardQueue"), Attributes={"VisibilityTimeout": "1"})
    aws.client("secretsmanager").put_secret_value(
        SecretId=stack.ref("WebhookSecret"), SecretString="whsec_next"
    )
    aws.client("ses").send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["anna@example.com"]},
        Message={"Subject": {"Data": "hi"}, "Body": {"Text": {"Data": "hi"}}},
    )


def test_a_stack_is_built_once_and_handed_over_empty(session_stack):
    with session_stack.fresh() as stack:
        _dirty(stack)
    with session_stack.fresh() as again:
        assert again is stack
        assert aws.client("dynamodb").scan(TableName=stack.ref("Table"))["Items"] == []
        stream = aws.client("dynamodbstreams")
        shard = stream.describe_stream(StreamArn=stack.resolve.attributes["Table.StreamArn"])
        iterator = stream.get_shard_iterator(
            StreamArn=stack.resolve.attributes["Table.StreamArn"],
            ShardId=shard["StreamDescription"]["Shards"][0]["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        assert stream.get_records(ShardIterator=iterator)["Records"] == []
        sqs = aws.client("sqs")
        for queue in ("RewardQueue", "EventQueue"):
            assert sqs.receive_message(QueueUrl=stack.ref(queue)).get("Messages", []) == []
        timeout = sqs.get_queue_attributes(
            QueueUrl=stack.ref("RewardQueue"), AttributeNames=["VisibilityTimeout"]
        )
        assert timeout["Attributes"]["VisibilityTimeout"] != "1"
        secret = aws.client("secretsmanager").get_secret_value(SecretId=stack.ref("WebhookSecret"))
        assert secret["SecretString"] == "whsec_first"
        assert ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages == []
    assert session_stack.provisioned == 1


def test_a_stack_wiped_by_another_mock_is_built_again(session_stack):
    with session_stack.fresh():
        pass
    with mock_aws():  # a test of its own moto: it starts from nothing and leaves nothing
        pass
    with session_stack.fresh() as stack:
        assert aws.client("dynamodb").describe_table(TableName=stack.ref("Table"))["Table"]["ItemCount"] == 0
    assert session_stack.provisioned == 2
