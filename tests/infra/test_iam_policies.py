"""Least privilege, read off the template and off what the SAM transform makes of it: no action
`*`, one role per function, and no managed policy beyond the one that writes logs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra import cfn

pytestmark = pytest.mark.unit

# SAM gives every function role this one, for its logs (logs:CreateLogGroup,
# logs:CreateLogStream, logs:PutLogEvents). Any other managed policy would come from an event
# type widening a role, as `Events: SQS` does with AWSLambdaSQSQueueExecutionRole.
ALLOWED_MANAGED_POLICIES = {"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


def _actions(statement: dict[str, Any]) -> list[str]:
    assert "NotAction" not in statement, f"NotAction grants everything else: {statement}"
    return [str(a) for a in cfn.as_list(statement["Action"])]


@pytest.mark.parametrize("which", ["template", "translated"])
def test_no_statement_allows_every_action(which: str, request: pytest.FixtureRequest) -> None:
    found = list(cfn.statements(request.getfixturevalue(which)["Resources"]))
    assert found, "no policy statements found: the walk is broken"
    for statement in found:
        actions = _actions(statement)
        assert "*" not in actions, statement
        if statement["Effect"] == "Allow":
            assert not [a for a in actions if a.endswith(":*")], f"a whole service is allowed: {statement}"


def test_each_function_has_a_role_of_its_own(translated: dict[str, Any]) -> None:
    resources = translated["Resources"]
    functions = {n: r for n, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(functions) == 11
    assert len(set(roles)) == len(roles)
    assert all(resources[role]["Type"] == "AWS::IAM::Role" for role in roles)


def test_roles_carry_no_managed_policy_but_logging(translated: dict[str, Any]) -> None:
    for name, resource in translated["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            managed = set(resource["Properties"].get("ManagedPolicyArns", []))
            assert managed <= ALLOWED_MANAGED_POLICIES, name


def test_the_worker_may_read_exactly_the_queue_its_event_source_polls(template: dict[str, Any]) -> None:
    """The event source mapping polls with the function's role, so that role must hold the
    queue-reading actions, on that queue only."""
    resources = template["Resources"]
    (mapping,) = [r for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    function = mapping["Properties"]["FunctionName"]["Ref"]
    queue = mapping["Properties"]["EventSourceArn"]
    polling = {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
    }
    granted = [
        statement
        for statement in cfn.statements(resources[function]["Properties"]["Policies"])
        if polling & set(_actions(statement))
    ]
    assert [set(_actions(s)) for s in granted] == [polling]
    assert granted[0]["Resource"] == queue
