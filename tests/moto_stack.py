"""One moto stack per test session (per xdist worker), emptied between tests instead of built
again.

Building the template's table, queues and secrets costs about 25 calls through moto, 0.4 s a
test; emptying them costs a few dictionary operations on moto's own backends. A test gets the
stack as a fresh one: no items and no stream records in the table, no messages on the queues
and their attributes as provisioned, every secret back at its first value, and an empty SES
outbox.

moto's in-process mock is started only around the tests that use the stack, without resetting
moto's state, so tests that start `mock_aws()` themselves still get a clean moto of their own.
They wipe this stack on the way out; the next test that asks for it finds it gone and
provisions it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamShard
from moto.secretsmanager.models import secretsmanager_backends
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends

from passaparola_localstack import template as cfn
from passaparola_localstack.provision import REGION, Stack, provision

# The queue attributes a test may change (a poison-message test shortens the visibility
# timeout), put back as provisioned.
_QUEUE_SETTINGS = ("VisibilityTimeout", "MessageRetentionPeriod", "RedrivePolicy", "DelaySeconds")


@dataclass
class _Baseline:
    """What the stack held right after provisioning, to put back between tests."""

    tables: list[str]
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> settings
    secrets: dict[str, str] = field(default_factory=dict)  # ARN -> value


class SessionStack:
    """The template's resources on moto, provisioned once and emptied for each test."""

    def __init__(
        self,
        parameters: dict[str, str],
        secret_values: dict[str, str],
        sender: str,
        prefix: str = "passaparola",
    ) -> None:
        self._prefix = prefix
        self._parameters = parameters
        self._secret_values = secret_values
        self._sender = sender
        self._template = cfn.load()
        self._stack: Stack | None = None
        self._baseline: _Baseline | None = None
        self.provisioned = 0  # how many times it was built (tests hold it to once per session)

    @contextmanager
    def fresh(self) -> Iterator[Stack]:
        """The stack, empty, with moto's in-process mock active until the test is done."""
        mock = mock_aws()
        mock.start(reset=False)
        try:
            yield self._empty_or_new()
        finally:
            mock.stop(remove_data=False)

    def _empty_or_new(self) -> Stack:
        if self._stack is None or self._baseline is None or not self._intact(self._baseline):
            self._stack = self._provision()
            self._baseline = self._record(self._stack)
        else:
            self._empty(self._baseline)
        return self._stack

    def _provision(self) -> Stack:
        from passaparola.storage import aws

        stack = provision(
            self._parameters, template=self._template, prefix=self._prefix, secret_values=self._secret_values
        )
        aws.client("ses").verify_email_identity(EmailAddress=self._sender)
        self.provisioned += 1
        return stack

    @staticmethod
    def _record(stack: Stack) -> _Baseline:
        tables = [stack.ref(name) for name in cfn.resources(stack.template, "AWS::DynamoDB::Table")]
        sqs = sqs_backends[DEFAULT_ACCOUNT_ID][REGION]
        names = [
            stack.ref(name).rpartition("/")[2] for name in cfn.resources(stack.template, "AWS::SQS::Queue")
        ]
        return _Baseline(
            tables=tables,
            queues={name: _settings(sqs.queues[name]) for name in names},
            secrets={stack.ref(name): value for name, value in stack.secret_values.items()},
        )

    @staticmethod
    def _intact(baseline: _Baseline) -> bool:
        """Whether another test's own `mock_aws()` wiped moto since the stack was built."""
        return all(name in dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables for name in baseline.tables)

    @staticmethod
    def _empty(baseline: _Baseline) -> None:
        dynamodb = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
        for name in baseline.tables:
            table = dynamodb.tables[name]
            table.items.clear()
            if table.stream_shard is not None:
                table.stream_shard = StreamShard(DEFAULT_ACCOUNT_ID, table)
        sqs = sqs_backends[DEFAULT_ACCOUNT_ID][REGION]
        for name, settings in baseline.queues.items():
            queue = sqs.queues[name]
            queue._messages = []
            queue._pending_messages = set()
            queue.deleted_messages = set()
            if _settings(queue) != settings:
                sqs.set_queue_attributes(name, settings)
        secrets = secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION]
        for arn, value in baseline.secrets.items():
            if secrets.get_secret_value(arn, None, None)["SecretString"] != value:  # type: ignore[arg-type]
                secrets.put_secret_value(arn, value, None, None, ["AWSCURRENT"])  # type: ignore[arg-type]
        ses = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        ses.sent_messages.clear()
        ses.sent_message_count = 0


def _settings(queue: Any) -> dict[str, Any]:
    return {key: value for key, value in queue.attributes.items() if key in _QUEUE_SETTINGS}
