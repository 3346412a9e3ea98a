"""Create the template's tables, queues and secrets on moto, and the functions' environment."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any

from passaparola.storage import aws
from passaparola_localstack import template as cfn

ACCOUNT = "123456789012"
REGION = "us-east-1"


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_admin_key() -> str:
    return "ppk_" + secrets.token_urlsafe(30)


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(48)).decode()


# Each shop platform's signing secret, by the template's name for it.
PLATFORM_SECRETS = {
    "stripe": "StripeWebhookSecret",
    "shopify": "ShopifyWebhookSecret",
    "woocommerce": "WooCommerceWebhookSecret",
}


def new_platform_secrets() -> dict[str, str]:
    """Dev secrets shaped like each platform's: Stripe's whsec_..., Shopify's client secret,
    and one a merchant would type into WooCommerce (letters and digits)."""
    return {
        "stripe": "whsec_" + secrets.token_urlsafe(24).replace("-", "").replace("_", ""),
        "shopify": "shpss_" + secrets.token_hex(16),
        "woocommerce": secrets.token_hex(16),
    }


@dataclass
class Stack:
    template: dict[str, Any]
    resolve: cfn.Resolver
    secret_values: dict[str, str]

    def ref(self, logical_id: str) -> str:
        return self.resolve.refs[logical_id]

    def arn(self, logical_id: str) -> str:
        return self.resolve.attributes[f"{logical_id}.Arn"]

    def environment(self, function: str) -> dict[str, str]:
        return cfn.environment(self.template, function, self.resolve)

    def origin_headers(self, origin_id: str = "api") -> dict[str, str]:
        """What CloudFront adds to every request it sends to the origin (the API's secret
        origin header), with the secrets' local values."""
        by_arn = {self.ref(name): value for name, value in self.secret_values.items()}
        return {
            name: cfn.resolve_secret_references(value, by_arn)
            for name, value in cfn.origin_headers(self.template, origin_id, self.resolve).items()
        }

    def union_environment(self) -> dict[str, str]:
        """Every function's variables at once, for running them all in one process. Only
        POWERTOOLS_SERVICE_NAME differs between functions; one process has one service name."""
        merged: dict[str, str] = {}
        for function in cfn.functions(self.template):
            merged |= self.environment(function)
        merged.pop("POWERTOOLS_SERVICE_NAME", None)
        return merged


def provision(
    parameters: dict[str, str],
    *,
    template: dict[str, Any] | None = None,
    prefix: str = "passaparola",
    secret_values: dict[str, str] | None = None,
) -> Stack:
    """Create every table, queue and secret of the template in the current (moto) endpoint."""
    template = template or cfn.load()
    refs: dict[str, str] = {
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": prefix,
    }
    declared = template.get("Parameters", {})
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"the template has no parameter {', '.join(unknown)}")
    for name, spec in declared.items():
        refs[name] = parameters.get(name, spec.get("Default", ""))
    attributes: dict[str, str] = {}
    resolve = cfn.Resolver(template, refs, attributes)
    _tables(template, prefix, refs, attributes)
    _queues(template, prefix, refs, attributes, resolve)
    values = _secrets(template, prefix, refs, secret_values or {})
    for name in cfn.resources(template, "AWS::ApiGatewayV2::Api"):
        refs[name] = "local"
    return Stack(template, resolve, values)


def _tables(template: dict[str, Any], prefix: str, refs: dict[str, str], attributes: dict[str, str]) -> None:
    client = aws.client("dynamodb")
    for name, resource in cfn.resources(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        table = f"{prefix}-{name}"
        kwargs: dict[str, Any] = {
            "TableName": table,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in props:
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if "StreamSpecification" in props:
            kwargs["StreamSpecification"] = {"StreamEnabled": True} | props["StreamSpecification"]
        created = client.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=table, TimeToLiveSpecification=ttl)
        refs[name] = table
        attributes[f"{name}.Arn"] = created["TableDescription"]["TableArn"]
        if "LatestStreamArn" in created["TableDescription"]:
            attributes[f"{name}.StreamArn"] = created["TableDescription"]["LatestStreamArn"]


def _queues(
    template: dict[str, Any],
    prefix: str,
    refs: dict[str, str],
    attributes: dict[str, str],
    resolve: cfn.Resolver,
) -> None:
    client = aws.client("sqs")
    pending = dict(cfn.resources(template, "AWS::SQS::Queue"))
    while pending:  # a dead-letter queue must exist before the queue that names it
        ready = [n for n, r in pending.items() if _deps_met(r["Properties"].get("RedrivePolicy"), attributes)]
        if not ready:
            raise ValueError(f"queues with unresolvable redrive policies: {sorted(pending)}")
        for name in ready:
            props = pending.pop(name)["Properties"]
            queue_attributes: dict[str, Any] = {
                key: str(props[key])
                for key in ("VisibilityTimeout", "MessageRetentionPeriod")
                if key in props
            }
            if "RedrivePolicy" in props:
                queue_attributes["RedrivePolicy"] = json.dumps(resolve(props["RedrivePolicy"]))
            url = client.create_queue(QueueName=f"{prefix}-{name}", Attributes=queue_attributes)["QueueUrl"]
            arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            refs[name] = url
            attributes[f"{name}.Arn"] = arn


def _deps_met(redrive: dict[str, Any] | None, attributes: dict[str, str]) -> bool:
    if not redrive:
        return True
    target = redrive["deadLetterTargetArn"]
    return ".".join(target["Fn::GetAtt"]) in attributes if isinstance(target, dict) else True


def _secrets(
    template: dict[str, Any], prefix: str, refs: dict[str, str], given: dict[str, str]
) -> dict[str, str]:
    """Each secret gets the value given for it, else the template's own, else a fresh random key."""
    client = aws.client("secretsmanager")
    values = {}
    for name, resource in cfn.resources(template, "AWS::SecretsManager::Secret").items():
        value = given.get(name) or resource["Properties"].get("SecretString") or new_key()
        arn = client.create_secret(Name=f"{prefix}-{name}", SecretString=value)["ARN"]
        refs[name] = arn
        values[name] = value
    return values
