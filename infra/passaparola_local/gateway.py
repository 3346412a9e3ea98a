"""Runs the real Lambda handlers the way API Gateway and the SQS event source would.

Routes, handler strings and environment come from the template. Handlers are imported by
the same dotted strings the template names, so what runs here is what runs in Lambda.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from passaparola_local import template as cfn
from passaparola_local.events import LocalContext, http_event, sqs_event
from passaparola_local.provision import Stack

HandlerFn = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def load_handler(dotted: str) -> HandlerFn:
    module, _, name = dotted.rpartition(".")
    handler: HandlerFn = getattr(importlib.import_module(module), name)
    return handler


class Gateway:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.routes = cfn.routes(stack.template)

    def handler(self, function: str) -> HandlerFn:
        return load_handler(cfn.handler_of(self.stack.template, function))

    def http(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        source_ip: str = "127.0.0.1",
    ) -> HttpResponse:
        for route in self.routes:
            params = route.matches(method.upper(), path)
            if params is None:
                continue
            event = http_event(
                method.upper(),
                path,
                route_key=f"{route.method} {route.path}",
                path_parameters=params,
                query=query,
                headers=headers,
                body=body,
                source_ip=source_ip,
            )
            answer = self.handler(route.function)(event, LocalContext(route.function))
            return _to_http(answer)
        return HttpResponse(
            404, {"content-type": "application/json"}, b'{"error":"not_found","message":"no such route"}'
        )

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.handler(function)(event, LocalContext(function))

    def deliver(self, function: str, messages: list[dict[str, Any]], queue_arn: str) -> Any:
        """Hand SQS messages to a function as the event source mapping would."""
        return self.invoke(function, sqs_event(messages, queue_arn))


def _to_http(answer: dict[str, Any]) -> HttpResponse:
    headers = {k.lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    for cookie in answer.get("cookies") or []:
        headers.setdefault("set-cookie", cookie)
    body = answer.get("body") or ""
    raw = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    return HttpResponse(int(answer.get("statusCode", 200)), headers, raw)
