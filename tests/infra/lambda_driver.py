"""Runs handlers from an unpacked Lambda artifact as the Lambda runtime would: in a fresh
interpreter (started with -I -S) whose import path is the artifact and the standard library,
nothing else. It imports only the standard library itself, before the artifact's modules.

    python -I -S lambda_driver.py ARTIFACT imports HANDLER...
        imports every handler; answers {"path": sys.path, "modules": {name: file}}
    python -I -S lambda_driver.py ARTIFACT package PACKAGE
        imports every module of the package in the artifact, each after the ones before it;
        answers as `imports`, with "tried": [module names] and "failed": {name: traceback}
    python -I -S lambda_driver.py ARTIFACT serve HANDLER FUNCTION
        reads one JSON event a line and answers a line each, {"answer": ..., "calls": [...]}
        or {"error": traceback}; `calls` lists the AWS API calls the invocation made

Answers go to the original standard output; whatever the handlers print or log goes to
standard error, which the test shows when it fails.
"""

import importlib
import json
import os
import sys
import time
import traceback
import uuid


class Context:
    """What the Lambda runtime hands a handler, as far as powertools reads it."""

    def __init__(self, function):
        self.function_name = function
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function}"
        self.log_stream_name = "driver"
        self._deadline = time.monotonic() + 30

    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.monotonic()) * 1000)


def load(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def loaded():
    return {name: getattr(module, "__file__", None) for name, module in sys.modules.items()}


def imports(answer, handlers):
    for handler in handlers:
        if not callable(load(handler)):
            raise TypeError(f"{handler} is not callable")
    answer({"path": sys.path, "modules": loaded()})


def package(answer, artifact, name):
    tried, failed = [], {}
    for folder, _, files in sorted(os.walk(os.path.join(artifact, name))):
        for file in sorted(f for f in files if f.endswith(".py")):
            relative = os.path.relpath(os.path.join(folder, file), artifact).removesuffix(".py")
            module = relative.replace(os.sep, ".").removesuffix(".__init__")
            tried.append(module)
            try:
                importlib.import_module(module)
            except Exception:  # the test shows every failure at once
                failed[module] = traceback.format_exc()
    answer({"path": sys.path, "modules": loaded(), "tried": tried, "failed": failed})


def serve(answer, handler_string, function):
    import botocore.session

    calls = []

    def record(params, model, **_):
        calls.append({"service": model.service_model.signing_name, "operation": model.name, "params": params})

    create_client = botocore.session.Session.create_client

    def recording_client(self, *args, **kwargs):
        client = create_client(self, *args, **kwargs)
        client.meta.events.register("provide-client-params.*.*", record)
        return client

    botocore.session.Session.create_client = recording_client
    handler = load(handler_string)
    for line in sys.stdin:
        calls.clear()
        try:
            answer({"answer": handler(json.loads(line), Context(function)), "calls": calls})
        except Exception:  # the test reads the traceback
            answer({"error": traceback.format_exc()})


def main():
    artifact, mode, *arguments = sys.argv[1:]
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    def answer(message):
        replies.write(json.dumps(message, default=str) + "\n")

    sys.path.insert(0, artifact)
    if mode == "imports":
        imports(answer, arguments)
    elif mode == "package":
        package(answer, artifact, *arguments)
    else:
        serve(answer, *arguments)
    # Without Python's own shutdown, which tears down every module the handler imported: the
    # test's interpreters end at once, as Lambda ends a sandbox.
    replies.flush()
    sys.stderr.flush()
    os._exit(0)


main()
