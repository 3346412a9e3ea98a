"""Each function, run from the Lambda artifact with exactly the environment the template gives
it, handles a real request against the moto server; every AWS call it makes is one its own
role allows. A variable the code needs but the template forgets fails here, and so does a
permission the template forgets: neither needs AWS to show."""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from passaparola.domain import signatures
from passaparola.storage import aws
from passaparola_localstack import motoserver
from passaparola_localstack import template as local_template
from passaparola_localstack.events import function_url_event, http_event, sqs_event
from passaparola_localstack.provision import ACCOUNT, REGION, Stack
from passaparola_localstack.streams import StreamMapping
from tests.infra import cfn
from tests.infra.lambda_sandbox import ArtifactFunction
from tests.support import ADMIN, BROWSER, WEBHOOK_SECRET, Client

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# One of the test campaigns (tests/fixtures/content), which the host artifact bundles: rewards
# on purchase, no hold, so one order takes the worker through to issued rewards and emails.
CAMPAIGN = "instant"
_TRANSACTION_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@pytest.fixture
def functions(
    served_stack: Stack, host_artifact: Path, moto_server: motoserver.SerialMotoServer
) -> Iterator[dict[str, ArtifactFunction]]:
    """Every function of the template, each in its own isolated interpreter, with its template
    environment and nothing else but what the Lambda runtime itself provides."""
    runtime = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_server.url,  # the one variable Lambda would not set
    }
    started = {
        name: ArtifactFunction(
            host_artifact,
            name,
            local_template.handler_of(served_stack.template, name),
            served_stack.environment(name) | runtime | {"AWS_LAMBDA_FUNCTION_NAME": name},
        )
        for name in local_template.functions(served_stack.template)
    }
    yield started
    # All told first: each interpreter's exit takes a moment, which they then take at once.
    for function in started.values():
        function.end_input()
    for function in started.values():
        function.close()


def _http(
    function: ArtifactFunction,
    method: str,
    path: str,
    route: str,
    body: Any = None,
    query: str = "",
    **headers: str,
) -> Any:
    parameters = local_template.Route(method, route, "").path_parameters(path) or {}
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    sent = {"content-type": "application/json", "user-agent": BROWSER} | headers
    event = http_event(
        method,
        path,
        route_key=f"{method} {route}",
        path_parameters=parameters,
        query=query,
        headers=sent,
        body=raw,
    )
    answer = function.invoke(event)
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None


def _drain(stack: Stack, worker: ArtifactFunction, queue: str = "RewardQueue") -> int:
    """Hand the queue's messages to the worker as the event source mapping would."""
    sqs = aws.client("sqs")
    url, arn = stack.ref(queue), stack.arn(queue)
    delivered = 0
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return delivered
        assert worker.invoke(sqs_event(messages, arn)) == {"batchItemFailures": []}
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        delivered += len(messages)
    raise AssertionError(f"{queue} did not drain in 10 batches")


def _stats_token(stack: Stack, email: str) -> str:
    for message in Client(stack).outbox():
        found = re.search(r"#t=([\w.~-]+)", message["text"])
        if email in message["to"] and found:
            return found.group(1)
    raise AssertionError(f"no email with a stats link reached {email}")


def _unsubscribe_token(stack: Stack, email: str) -> str:
    for message in Client(stack).outbox():
        found = re.search(r"/unsubscribe/([\w.-]+)>", dict(message["headers"]).get("List-Unsubscribe", ""))
        if email in message["to"] and found:
            return found.group(1)
    raise AssertionError(f"no email with a one-click unsubscribe reached {email}")


def test_each_function_serves_the_referral_path_with_its_own_environment_and_role(
    served_stack: Stack, functions: dict[str, ArtifactFunction]
) -> None:
    enrol, referrer, friend = functions["EnrolAndClaimFunction"], "anna@example.com", "marco@example.com"
    cloudfront = served_stack.origin_headers()  # every request comes through CloudFront
    status, enrolled = _http(
        enrol,
        "POST",
        "/referrers",
        "/referrers",
        {"campaign": CAMPAIGN, "email": referrer, "name": "Anna"},
        **cloudfront,
    )
    assert status == 201, enrolled
    code = enrolled["code"]

    # Through CloudFront's function-URL behaviour: signed by its origin access control, with
    # the viewer's address and no origin header.
    click = function_url_event(
        "GET", f"/r/{code}", headers={"user-agent": BROWSER, "cloudfront-viewer-address": "198.51.100.7:443"}
    )
    assert functions["RecordClickFunction"].invoke(click)["statusCode"] == 302
    status, checked = _http(
        functions["ValidateCodeFunction"], "GET", f"/codes/{code}", "/codes/{code}", **cloudfront
    )
    assert (status, checked["valid"]) == (200, True)
    status, claimed = _http(
        enrol, "POST", "/claims", "/claims", {"code": code, "email": friend}, **cloudfront
    )
    assert status == 201, claimed

    order = json.dumps(
        {"order_id": f"order-{uuid.uuid4().hex[:8]}", "email": friend, "amount": "49.90", "currency": "EUR"}
    ).encode()
    signed = signatures.sign(order, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), WEBHOOK_SECRET)
    status, converted = _http(
        functions["StoreWebhooksFunction"],
        "POST",
        "/conversions",
        "/conversions",
        order,
        **signed,
        **cloudfront,
    )
    assert (status, converted["status"]) == (202, "queued"), converted

    assert _drain(served_stack, functions["RewardWorkerFunction"]) > 0
    assert "released" in functions["ReleaseHeldFunction"].invoke({})
    rollup = functions["RollUpCountersFunction"]
    StreamMapping(served_stack, lambda _, event: rollup.invoke(event)).drain()

    token = _stats_token(served_stack, referrer)
    status, mine = _http(
        functions["ReferrerStatsFunction"],
        "GET",
        "/referrers/me",
        "/referrers/me",
        authorization=f"Bearer {token}",
        **cloudfront,
    )
    assert (status, mine["code"], mine["conversions"]) == (200, code, 1), mine
    unsubscribe = _unsubscribe_token(served_stack, referrer)
    status, unsubscribed = _http(
        functions["UnsubscribeFunction"],
        "POST",
        f"/unsubscribe/{unsubscribe}",
        "/unsubscribe/{token}",
        b"List-Unsubscribe=One-Click",
        **{"content-type": "application/x-www-form-urlencoded"},
        **cloudfront,
    )
    assert (status, unsubscribed) == (200, {"unsubscribed": True, "campaign": CAMPAIGN})
    status, _ = _http(
        functions["MyDataFunction"], "POST", "/me/link", "/me/link", {"email": referrer}, **cloudfront
    )
    assert status == 202
    assert _drain(served_stack, functions["SendLinksFunction"], "LinkQueue") == 1
    assert [
        m for m in Client(served_stack).outbox() if m["to"] == [referrer] and "/my-data/#token=" in m["text"]
    ]
    status, document = _http(
        functions["ApiDocsFunction"], "GET", "/openapi.json", "/openapi.json", **cloudfront
    )
    assert (status, document["info"]["title"]) == (200, "passaparola")

    _the_business_side(served_stack, functions, cloudfront, code)

    for name, function in functions.items():
        allowed = _granted(served_stack, name)
        refused = [
            need
            for call in function.calls
            for need in _needs(served_stack, call)
            if not _permits(allowed, *need)
        ]
        assert refused == [], f"{name}'s role lacks {refused}"


def _the_business_side(
    stack: Stack, functions: dict[str, ArtifactFunction], cloudfront: dict[str, str], code: str
) -> None:
    """An admin signs in by email, reads every list and fulfils the referrer's free month."""
    sign_in, reads = functions["AdminSignInFunction"], functions["AdminReadsFunction"]
    status, _ = _http(sign_in, "POST", "/admin/sign-in", "/admin/sign-in", {"email": ADMIN}, **cloudfront)
    assert status == 202
    assert _drain(stack, functions["SendLinksFunction"], "LinkQueue") == 1
    (token,) = [
        found.group(1)
        for message in Client(stack).outbox()
        if message["to"] == [ADMIN] and (found := re.search(r"#signin=([\w-]+)", message["text"]))
    ]
    status, opened = _http(
        sign_in, "POST", "/admin/sessions", "/admin/sessions", {"token": token}, **cloudfront
    )
    assert status == 201, opened
    bearer = {"authorization": f"Bearer {opened['session']}"}
    status, report = _http(
        reads, "GET", f"/campaigns/{CAMPAIGN}/report", "/campaigns/{slug}/report", **bearer, **cloudfront
    )
    assert (status, report["campaign"]) == (200, CAMPAIGN), report
    for path, query in (("/referrals", f"campaign={CAMPAIGN}"), ("/reviews", "")):
        status, listed = _http(reads, "GET", path, path, query=query, **bearer, **cloudfront)
        assert status == 200, listed
    status, waiting = _http(reads, "GET", "/rewards", "/rewards", **bearer, **cloudfront)
    assert status == 200, waiting
    (free_month,) = [r for r in waiting["items"] if r["owner"]["code"] == code]
    status, fulfilled = _http(
        functions["AdminActionsFunction"],
        "POST",
        f"/rewards/{free_month['id']}/fulfilment",
        "/rewards/{reward_id}/fulfilment",
        {"reference": "month added"},
        **bearer,
        **cloudfront,
    )
    assert (status, fulfilled["fulfilment"]["by"]) == (200, ADMIN), fulfilled


def _granted(stack: Stack, function: str) -> list[tuple[list[str], list[str]]]:
    policies = stack.template["Resources"][function]["Properties"].get("Policies", [])
    return [
        (
            [a.lower() for a in cfn.as_list(s["Action"])],
            [str(r) for r in cfn.as_list(stack.resolve(s["Resource"]))],
        )
        for s in cfn.statements(policies)
        if s["Effect"] == "Allow"
    ]


def _permits(allowed: list[tuple[list[str], list[str]]], action: str, resource: str) -> bool:
    return any(
        any(fnmatch.fnmatchcase(action.lower(), a) for a in actions)
        and any(fnmatch.fnmatchcase(resource, r) for r in resources)
        for actions, resources in allowed
    )


def _needs(stack: Stack, call: dict[str, Any]) -> list[tuple[str, str]]:
    """The IAM (action, resource) pairs one API call is authorised against."""
    service, operation, params = call["service"], call["operation"], call["params"]
    tables = {
        stack.ref(n): stack.arn(n) for n in local_template.resources(stack.template, "AWS::DynamoDB::Table")
    }
    queues = {stack.ref(n): stack.arn(n) for n in local_template.resources(stack.template, "AWS::SQS::Queue")}
    if service == "dynamodb" and operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_TRANSACTION_ACTIONS[kind]}", tables[detail["TableName"]])
            for item in params["TransactItems"]
            for kind, detail in item.items()
        ]
    if service == "dynamodb" and operation == "BatchGetItem":
        return [("dynamodb:BatchGetItem", tables[name]) for name in params["RequestItems"]]
    if service == "dynamodb":
        table = tables[params["TableName"]]
        return [
            (
                f"dynamodb:{operation}",
                f"{table}/index/{params['IndexName']}" if "IndexName" in params else table,
            )
        ]
    if service == "sqs":
        return [
            (
                "sqs:SendMessage" if operation == "SendMessageBatch" else f"sqs:{operation}",
                queues[params["QueueUrl"]],
            )
        ]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params["SecretId"])]
    if service == "ses":
        sender = parseaddr(params["FromEmailAddress"])[1]
        return [(f"ses:{operation}", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender}")]
    raise AssertionError(f"a call this test cannot map to IAM yet: {service} {operation}")
