"""The local stack's tables, indexes, queues and secrets, as provision.py creates them on moto,
are the template's: what the functions are tested against locally is what AWS will run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from passaparola.storage import aws
from passaparola_localstack import template as local_template
from passaparola_localstack.provision import Stack

pytestmark = pytest.mark.integration


def _by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {item[key]: item for item in items}


def test_tables_match_the_template(stack: Stack) -> None:
    client = aws.client("dynamodb")
    tables = local_template.resources(stack.template, "AWS::DynamoDB::Table")
    assert tables
    for name, resource in tables.items():
        declared = resource["Properties"]
        table = client.describe_table(TableName=stack.ref(name))["Table"]
        assert table["KeySchema"] == declared["KeySchema"]
        assert _by_name(table["AttributeDefinitions"], "AttributeName") == _by_name(
            declared["AttributeDefinitions"], "AttributeName"
        )
        assert table["BillingModeSummary"]["BillingMode"] == declared["BillingMode"]
        indexes = _by_name(table.get("GlobalSecondaryIndexes", []), "IndexName")
        assert set(indexes) == {index["IndexName"] for index in declared["GlobalSecondaryIndexes"]}
        for index in declared["GlobalSecondaryIndexes"]:
            created = indexes[index["IndexName"]]
            assert created["KeySchema"] == index["KeySchema"]
            assert created["Projection"]["ProjectionType"] == index["Projection"]["ProjectionType"]
            assert sorted(created["Projection"].get("NonKeyAttributes", [])) == sorted(
                index["Projection"].get("NonKeyAttributes", [])
            )
        ttl = client.describe_time_to_live(TableName=stack.ref(name))["TimeToLiveDescription"]
        assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == (
            declared["TimeToLiveSpecification"]["AttributeName"],
            "ENABLED",
        )


def test_queues_match_the_template(stack: Stack) -> None:
    client = aws.client("sqs")
    queues = local_template.resources(stack.template, "AWS::SQS::Queue")
    assert len(queues) == 7
    for name, resource in queues.items():
        declared = resource["Properties"]
        attributes = client.get_queue_attributes(QueueUrl=stack.ref(name), AttributeNames=["All"])[
            "Attributes"
        ]
        for key in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if key in declared:
                assert int(attributes[key]) == declared[key], (name, key)
        if "RedrivePolicy" in declared:
            redrive = json.loads(attributes["RedrivePolicy"])
            dead_letters = declared["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert redrive["deadLetterTargetArn"] == stack.arn(dead_letters)
            assert int(redrive["maxReceiveCount"]) == declared["RedrivePolicy"]["maxReceiveCount"]
        else:
            assert "RedrivePolicy" not in attributes


def test_secrets_match_the_template(stack: Stack) -> None:
    client = aws.client("secretsmanager")
    for name in local_template.resources(stack.template, "AWS::SecretsManager::Secret"):
        assert client.get_secret_value(SecretId=stack.ref(name))["SecretString"] == stack.secret_values[name]


def _timeout(template: dict[str, Any], function: str) -> int:
    own = template["Resources"][function]["Properties"].get("Timeout")
    return int(own or template["Globals"]["Function"]["Timeout"])


def test_each_queue_consumer_reports_failures_per_item_and_outlasts_its_worker(
    template: dict[str, Any],
) -> None:
    """A message must stay hidden for at least 6 times the worker's timeout (AWS's advice for
    Lambda event sources), or a slow batch is handed to a second worker while the first works."""
    mappings = local_template.resources(template, "AWS::Lambda::EventSourceMapping").values()
    queues = [m for m in mappings if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] != "Table"]
    assert queues
    for mapping in queues:
        properties = mapping["Properties"]
        queue = template["Resources"][properties["EventSourceArn"]["Fn::GetAtt"][0]]
        function = properties["FunctionName"]["Ref"]
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert queue["Properties"]["VisibilityTimeout"] >= 6 * _timeout(template, function)
        assert "RedrivePolicy" in queue["Properties"]


def test_the_tables_stream_is_the_templates(stack: Stack) -> None:
    declared = stack.template["Resources"]["Table"]["Properties"]["StreamSpecification"]
    table = aws.client("dynamodb").describe_table(TableName=stack.ref("Table"))["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True} | declared
    assert table["LatestStreamArn"] == stack.resolve.attributes["Table.StreamArn"]


def test_the_stream_consumer_retries_a_failed_batch_whole_from_its_first_record(
    template: dict[str, Any],
) -> None:
    """The rollup's checkpoint is kept under a batch's first record (services/counters.py):
    that holds only if a failed batch comes back whole, and one batch per shard at a time."""
    mapping = local_template.stream_mapping(template, "Table", "RollUpCountersFunction")
    assert mapping["BisectBatchOnFunctionError"] is False
    assert mapping["ParallelizationFactor"] == 1
    assert "FunctionResponseTypes" not in mapping  # no partial batches either
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["CounterFailuresQueue", "Arn"]
    }
