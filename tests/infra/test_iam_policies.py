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
    assert len(functions) == 18
    assert len(set(roles)) == len(roles)
    assert all(resources[role]["Type"] == "AWS::IAM::Role" for role in roles)


def test_roles_carry_no_managed_policy_but_logging(translated: dict[str, Any]) -> None:
    for name, resource in translated["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            managed = set(resource["Properties"].get("ManagedPolicyArns", []))
            assert managed <= ALLOWED_MANAGED_POLICIES, name


def _mapping(template: dict[str, Any], source: str, function: str | None = None) -> dict[str, Any]:
    (mapping,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == source
        and function in (None, r["Properties"]["FunctionName"]["Ref"])
    ]
    return mapping


@pytest.mark.parametrize("queue", ["RewardQueue", "EventQueue", "LinkQueue"])
def test_each_worker_may_read_exactly_the_queue_its_event_source_polls(
    queue: str, template: dict[str, Any]
) -> None:
    """The event source mapping polls with the function's role, so that role must hold the
    queue-reading actions, on that queue only."""
    resources = template["Resources"]
    mapping = _mapping(template, queue)
    function = mapping["FunctionName"]["Ref"]
    queue = mapping["EventSourceArn"]
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


def test_the_counters_rollup_reads_the_stream_only_and_writes_only_counters(template: dict[str, Any]) -> None:
    """Its role reads the table's stream and nothing else of it, and of the table only the
    counters' own items: the codes' counters, the campaign days and the checkpoints."""
    resources = template["Resources"]
    mapping = _mapping(template, "Table", "RollUpCountersFunction")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    statements = list(cfn.statements(resources[mapping["FunctionName"]["Ref"]]["Properties"]["Policies"]))
    stream = [s for s in statements if any(a in {"dynamodb:GetRecords"} for a in _actions(s))]
    assert [set(_actions(s)) for s in stream] == [
        {
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        }
    ]
    assert stream[0]["Resource"] == {"Fn::Sub": "${Table.Arn}/stream/*"}
    table = [s for s in statements if s["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}]
    assert [set(_actions(s)) for s in table] == [
        {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"}
    ]
    assert table[0]["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CODE#*", "STATS#*", "ROLLUP#*"]}
    }


def test_the_event_publisher_reads_the_stream_and_writes_nothing_but_the_event_queue(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    mapping = _mapping(template, "Table", "PublishEventsFunction")
    statements = list(cfn.statements(resources["PublishEventsFunction"]["Properties"]["Policies"]))
    assert {
        action: str(statement["Resource"]) for statement in statements for action in _actions(statement)
    } == dict.fromkeys(
        [
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        str({"Fn::Sub": "${Table.Arn}/stream/*"}),
    ) | {
        "sqs:SendMessage": str(
            [{"Fn::GetAtt": ["EventQueue", "Arn"]}, {"Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]}]
        )
    }
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]
    }


def test_the_event_deliverer_reads_only_its_queue_and_the_endpoints_secrets(template: dict[str, Any]) -> None:
    statements = list(
        cfn.statements(template["Resources"]["DeliverEventsFunction"]["Properties"]["Policies"])
    )
    resources = {str(s["Resource"]) for s in statements}
    assert resources == {str({"Fn::GetAtt": ["EventQueue", "Arn"]}), str({"Ref": "OutgoingWebhookSecrets"})}
    assert not [a for s in statements for a in _actions(s) if a.startswith("dynamodb:")]


def test_the_daily_digest_writes_only_its_own_records(template: dict[str, Any]) -> None:
    statements = list(cfn.statements(template["Resources"]["DailyDigestFunction"]["Properties"]["Policies"]))
    writes = [s for s in statements if {"dynamodb:PutItem", "dynamodb:UpdateItem"} & set(_actions(s))]
    assert [(set(_actions(s)), s["Condition"]) for s in writes] == [
        (
            {"dynamodb:PutItem", "dynamodb:GetItem"},
            {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["DIGEST#*", "OPTOUT#*"]}},
        )
    ]
    assert not [a for s in statements for a in _actions(s) if a in {"dynamodb:Scan", "dynamodb:UpdateItem"}]


def test_the_click_function_may_write_visits_and_nothing_else(template: dict[str, Any]) -> None:
    statements = list(cfn.statements(template["Resources"]["RecordClickFunction"]["Properties"]["Policies"]))
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert [(_actions(s), s["Condition"]) for s in dynamodb] == [
        (["dynamodb:PutItem"], {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["VISIT#*"]}})
    ]


def test_the_data_function_deletes_and_updates_only_the_kinds_a_deletion_touches(
    template: dict[str, Any],
) -> None:
    from passaparola.storage.personal import KINDS

    statements = list(cfn.statements(template["Resources"]["MyDataFunction"]["Properties"]["Policies"]))
    writes = {
        action: set(s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
        for s in statements
        for action in _actions(s)
        if action in {"dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:PutItem"}
    }
    deleted = {f"{kind.pk}*" for kind in KINDS if kind.after == "deleted"}
    # Updated: erased codes, voided rewards (under a code or a friend), the unsubscribe, and
    # the rate limit's counters.
    updated = {f"{kind.pk}*" for kind in KINDS if kind.after == "erased"} | {
        "FRIEND#*",
        "OPTOUT#*",
        "LIMIT#*",
    }
    assert writes == {"dynamodb:DeleteItem": deleted, "dynamodb:UpdateItem": updated}
    assert not [a for s in statements for a in _actions(s) if a == "dynamodb:Scan"]


@pytest.mark.parametrize("function", ["ReferrerStatsFunction", "AdminReadsFunction"])
def test_the_readers_of_a_codes_clicks_may_write_only_code_items(
    function: str, template: dict[str, Any]
) -> None:
    """A code's clicks are folded into its item on read: the stats page and the report may
    update a code item, and nothing else."""
    statements = list(cfn.statements(template["Resources"][function]["Properties"]["Policies"]))
    writes = [
        s
        for s in statements
        if {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(_actions(s))
    ]
    assert [(_actions(s), s["Condition"]) for s in writes] == [
        (["dynamodb:UpdateItem"], {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["CODE#*"]}})
    ]


def test_the_reward_worker_may_query_visits_only(template: dict[str, Any]) -> None:
    """The nudge asks whether a code has a visit; the worker queries nothing else."""
    statements = list(cfn.statements(template["Resources"]["RewardWorkerFunction"]["Properties"]["Policies"]))
    queries = [s for s in statements if "dynamodb:Query" in _actions(s)]
    assert [(_actions(s), s["Condition"]) for s in queries] == [
        (["dynamodb:Query"], {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["VISIT#*"]}})
    ]


@pytest.mark.parametrize("function", ["AdminSignInFunction", "MyDataFunction"])
def test_the_routes_that_take_link_requests_queue_them_and_mail_nothing(
    function: str, template: dict[str, Any]
) -> None:
    """What differs between a known address and another (a token written, an email sent) is
    the link sender's alone, so the route's steps are the same for both."""
    statements = list(cfn.statements(template["Resources"][function]["Properties"]["Policies"]))
    actions = {a for s in statements for a in _actions(s)}
    assert not {a for a in actions if a.startswith("ses:")}
    assert "dynamodb:PutItem" not in actions
    (queueing,) = [s for s in statements if "sqs:SendMessage" in _actions(s)]
    assert queueing["Resource"] == {"Fn::GetAtt": ["LinkQueue", "Arn"]}


def test_the_link_sender_writes_only_sign_in_links_and_its_own_records(template: dict[str, Any]) -> None:
    statements = list(cfn.statements(template["Resources"]["SendLinksFunction"]["Properties"]["Policies"]))
    writes = [
        s
        for s in statements
        if {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(_actions(s))
    ]
    assert [s["Condition"] for s in writes] == [
        {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["SIGNIN#*", "IDEMPOTENCY#links"]}}
    ]
    assert not [a for s in statements for a in _actions(s) if a in {"dynamodb:Scan", "sqs:SendMessage"}]
