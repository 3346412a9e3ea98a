"""Lambda-like sandboxes: each a process that imports one function's handler and runs one
invocation at a time, with exactly that function's environment from the template.

Lambda never runs two invocations in one sandbox at once (and powertools' resolver keeps
the current event on a module-level object, so it must not). Concurrency comes from more
sandboxes, so a pool grows up to a limit per function, as Lambda scales out. Running the
local stack this way also proves each function works with only the variables the template
gives it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from passaparola_localstack.runtime import LocalContext, load_handler

# Lambda's own limit on how long a request may wait for the function.
_WAIT_FOR_SANDBOX = 30
# What a sandbox inherits from this process besides its function's own variables.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "TMPDIR", "PYTHONPATH", "SYSTEMROOT")
# What the functions import besides their own modules, imported once by the server the
# sandboxes are forked from: each sandbox then imports only passaparola's modules, after its
# environment is set, as on Lambda. (These packages read no variable of a function's when they
# are imported.) Where there is no fork server (Windows), each sandbox starts afresh.
_PRELOADED = (
    "passaparola_localstack.sandbox",
    "boto3",
    "pydantic",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency",
    "babel.dates",
    "babel.numbers",
)


def _start_method() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(_PRELOADED))
    return context


class InvocationError(RuntimeError):
    """The handler raised: Lambda would log it and API Gateway would answer 500."""


def _sandbox_main(
    connection: Connection, environment: dict[str, str], handler_string: str, function: str
) -> None:
    os.environ.clear()
    os.environ.update(environment)
    handler = load_handler(handler_string)
    connection.send(("ready", None))
    while True:
        try:
            event = connection.recv()
        except EOFError:
            _end()
        if event is None:
            _end()
        try:
            connection.send(("ok", handler(event, LocalContext(function))))
        except Exception:  # the parent decides what a crash means
            connection.send(("error", traceback.format_exc()))


def _end() -> NoReturn:
    """At once, as Lambda ends a sandbox: Python's own shutdown (each module torn down, each
    object freed) took a fifth of a second a sandbox, and a pool ends a dozen together."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@dataclass
class _Sandbox:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    dead: bool = False

    def invoke(self, event: dict[str, Any]) -> Any:
        try:
            self.connection.send(event)
            status, payload = self.connection.recv()
        except (EOFError, OSError) as exc:
            self.dead = True
            raise InvocationError(f"the sandbox died (exit code {self.process.exitcode})") from exc
        if status == "error":
            raise InvocationError(payload)
        return payload

    def stop(self) -> None:
        self.ask_to_stop()
        self.wait_for_stop()

    def ask_to_stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.connection.send(None)

    def wait_for_stop(self) -> None:
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()


@dataclass
class _Function:
    handler: str
    environment: dict[str, str]
    idle: queue.SimpleQueue[_Sandbox] = field(default_factory=queue.SimpleQueue)
    started: int = 0


class SandboxPool:
    def __init__(self, max_per_function: int = 4) -> None:
        self.max_per_function = max_per_function
        self._functions: dict[str, _Function] = {}
        self._all: list[_Sandbox] = []
        self._lock = threading.Lock()
        self._context = _start_method()
        self._closed = False

    @property
    def functions(self) -> list[str]:
        return list(self._functions)

    def register(self, function: str, handler: str, environment: dict[str, str]) -> None:
        inherited = {k: v for k, v in os.environ.items() if k in _PASSED_THROUGH}
        self._functions[function] = _Function(handler, inherited | environment)

    def warm(self, function: str) -> None:
        """Start one sandbox ahead of the first request (cold starts take a moment)."""
        spec = self._functions[function]
        if spec.started == 0:
            try:
                spec.idle.put(self._start(function, spec))
            except InvocationError:
                if not self._closed:  # a pool stopped while warming stops what it was starting
                    raise

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        spec = self._functions[function]
        sandbox = self._acquire(function, spec)
        try:
            return sandbox.invoke(event)
        finally:
            if sandbox.dead:  # as Lambda does, a crashed sandbox is replaced, not reused
                self._forget(spec, sandbox)
            else:
                spec.idle.put(sandbox)

    def _forget(self, spec: _Function, sandbox: _Sandbox) -> None:
        sandbox.stop()
        with self._lock:
            spec.started -= 1
            if sandbox in self._all:
                self._all.remove(sandbox)

    def _acquire(self, function: str, spec: _Function) -> _Sandbox:
        try:
            return spec.idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = spec.started < self.max_per_function
            if grow:
                spec.started += 1
        if grow:
            return self._start(function, spec, counted=True)
        try:
            return spec.idle.get(timeout=_WAIT_FOR_SANDBOX)
        except queue.Empty:
            raise InvocationError(f"no {function} sandbox became free in {_WAIT_FOR_SANDBOX} s") from None

    def _start(self, function: str, spec: _Function, *, counted: bool = False) -> _Sandbox:
        if not counted:
            with self._lock:
                spec.started += 1
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_sandbox_main, args=(child, spec.environment, spec.handler, function), daemon=True
        )
        process.start()
        child.close()
        try:
            parent.recv()
        except EOFError:
            with self._lock:
                spec.started -= 1  # a failed start must not use up the function's capacity
            raise InvocationError(
                f"the {function} sandbox died while importing its handler; see its output"
            ) from None
        sandbox = _Sandbox(process, parent)
        with self._lock:
            closed = self._closed
            if not closed:
                self._all.append(sandbox)
        if closed:
            sandbox.stop()
            raise InvocationError(f"the {function} sandbox started after the pool was closed")
        return sandbox

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sandboxes, self._all = self._all, []
        # All asked first: each interpreter's exit takes a moment, which they then take at once.
        for sandbox in sandboxes:
            sandbox.ask_to_stop()
        for sandbox in sandboxes:
            sandbox.wait_for_stop()
