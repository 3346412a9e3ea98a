"""Lambda events as AWS builds them, for running handlers locally."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl


def http_event(
    method: str,
    path: str,
    *,
    route_key: str,
    path_parameters: dict[str, str] | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event. Header names are lower-cased, as AWS does."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    text_body: str | None = None
    encoded = False
    if body:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, encoded = base64.b64encode(body).decode(), True
    now = time.time()
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        # Payload 2.0 joins a parameter given twice with a comma (?a=1&a=2 is "1,2").
        params[name] = f"{params[name]},{value}" if name in params else value
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "cookies": [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()] or None,
        "headers": lowered,
        "queryStringParameters": params or None,
        "pathParameters": path_parameters or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": text_body,
        "isBase64Encoded": encoded,
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Turns SQS API messages (MessageId, Body...) into a Lambda SQS event (messageId, body...)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for m in messages
        ]
    }


def function_url_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A Lambda function URL event (payload 2.0, routeKey `$default`), as CloudFront's signed
    request through origin access control arrives: IAM-authorised, as CloudFront's principal."""
    event = http_event(method, path, route_key="$default", query=query, headers=headers, source_ip=source_ip)
    event["requestContext"] |= {
        "apiId": "localclickurl",
        "domainName": "localclickurl.lambda-url.us-east-1.on.aws",
        "domainPrefix": "localclickurl",
        "authorizer": {"iam": {"userArn": "arn:aws:sts::123456789012:assumed-role/cloudfront"}},
    }
    event["pathParameters"] = None
    return event


def stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """DynamoDB Streams API records (GetRecords) as a Lambda DynamoDB event: the same fields,
    with the creation time in epoch seconds and the stream named on each record."""
    return {
        "Records": [
            {
                "eventID": r["eventID"],
                "eventName": r["eventName"],
                "eventVersion": r.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": r.get("awsRegion", stream_arn.split(":")[3]),
                "dynamodb": {
                    key: (value.timestamp() if hasattr(value, "timestamp") else value)
                    for key, value in r["dynamodb"].items()
                },
                "eventSourceARN": stream_arn,
            }
            for r in records
        ]
    }
