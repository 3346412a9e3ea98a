"""Runs the real Lambda handlers the way CloudFront, API Gateway and the SQS event source would.

Routes (the HTTP API's, and CloudFront's behaviours that go to a function URL), handler
strings and environment come from the template. Handlers are imported by
the same dotted strings the template names, so what runs here is what runs in Lambda.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Protocol

from passaparola_localstack import template as cfn
from passaparola_localstack.events import function_url_event, http_event, sqs_event
from passaparola_localstack.provision import Stack
from passaparola_localstack.runtime import LocalContext, load_handler
from passaparola_localstack.sandbox import InvocationError, SandboxPool

_CRASH = b'{"message":"Internal Server Error"}'
# What a function URL with AWS_IAM auth answers a request not signed by an allowed principal.
_UNSIGNED = b'{"Message":"Forbidden"}'
# Behind CloudFront, API Gateway sees an edge's address (this one is in CloudFront's range).
CLOUDFRONT_EDGE = "130.176.0.1"
_VIEWER_PORT = 50000


class Runner(Protocol):
    def invoke(self, function: str, event: dict[str, Any]) -> Any: ...


class InProcess:
    """Runs handlers in this process: fast, for single-threaded tests. Not for concurrency:
    powertools keeps the current event on module-level objects, as Lambda allows."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return load_handler(cfn.handler_of(self.template, function))(event, LocalContext(function))


def sandboxes(stack: Stack, extra_environment: dict[str, str], max_per_function: int = 4) -> SandboxPool:
    """A pool of per-function sandboxes, each with that function's environment from the template."""
    pool = SandboxPool(max_per_function)
    for function in cfn.functions(stack.template):
        pool.register(
            function,
            cfn.handler_of(stack.template, function),
            stack.environment(function) | extra_environment,
        )
    return pool


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class Gateway:
    """CloudFront, API Gateway and the SQS event source, locally: requests become events for
    a runner."""

    def __init__(self, stack: Stack, runner: Runner | None = None) -> None:
        self.stack = stack
        self.routes = cfn.routes(stack.template)
        self.function_urls = cfn.function_url_behaviours(stack.template)
        self.runner = runner or InProcess(stack.template)
        self.origin_headers = stack.origin_headers()

    def methods_for(self, path: str) -> set[str]:
        """The methods the functions serve at `path` (empty when the path is the pages')."""
        for behaviour in self.function_urls:
            if behaviour.matches(path):
                return set(behaviour.methods)
        return {route.method for route in self.routes if route.path_parameters(path) is not None}

    def http(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        source_ip: str = "127.0.0.1",
        via_cloudfront: bool = True,
    ) -> HttpResponse:
        """A request from `source_ip`, through CloudFront as on AWS; `via_cloudfront=False`
        sends it to the API's own endpoint directly, as anyone who finds that can."""
        headers = {name.lower(): value for name, value in (headers or {}).items()}
        for behaviour in self.function_urls:
            if behaviour.matches(path):
                return self._function_url(behaviour, method, path, query, headers, source_ip, via_cloudfront)
        if via_cloudfront:
            # What CloudFront does: its origin headers overwrite any the viewer sent, it tells
            # the origin who the viewer is, and API Gateway sees the edge's address instead.
            headers |= self.origin_headers | {"cloudfront-viewer-address": f"{source_ip}:{_VIEWER_PORT}"}
            source_ip = CLOUDFRONT_EDGE
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
            try:
                answer = self.runner.invoke(route.function, event)
            except InvocationError:
                return HttpResponse(500, {"content-type": "application/json"}, _CRASH)
            return _to_http(answer)
        return HttpResponse(
            404, {"content-type": "application/json"}, b'{"error":"not_found","message":"no such route"}'
        )

    def _function_url(
        self,
        behaviour: cfn.FunctionUrlBehaviour,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        source_ip: str,
        via_cloudfront: bool,
    ) -> HttpResponse:
        """A request CloudFront sends to a function URL: signed by its origin access control,
        with only the headers its origin request policy forwards. Sent to the URL directly, it
        carries no such signature, and the URL's IAM auth refuses it before the function runs."""
        if not via_cloudfront:
            return HttpResponse(403, {"content-type": "application/json"}, _UNSIGNED)
        if method.upper() not in behaviour.methods:  # CloudFront refuses it at the edge
            return HttpResponse(403, {"content-type": "text/plain"}, b"method not allowed here")
        forwarded = {name: value for name, value in headers.items() if name in behaviour.headers}
        if "cloudfront-viewer-address" in behaviour.headers:
            forwarded["cloudfront-viewer-address"] = f"{source_ip}:{_VIEWER_PORT}"
        event = function_url_event(
            method.upper(), path, query=query, headers=forwarded, source_ip=CLOUDFRONT_EDGE
        )
        try:
            answer = self.runner.invoke(behaviour.function, event)
        except InvocationError:
            return HttpResponse(502, {"content-type": "application/json"}, _CRASH)
        return _to_http(answer)

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        return self.runner.invoke(function, event)

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
