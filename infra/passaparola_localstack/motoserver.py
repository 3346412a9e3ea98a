"""moto as a local server that answers one request at a time.

moto keeps no item locks, so two requests served at once can interleave inside a single
conditional write (a spike lost counts under 8 threads in process). Served one at a time,
each write is atomic, as DynamoDB's are: concurrency tests and the local stack both use this.

moto also copies every table a transaction writes, whole, before it starts, to put it back if
the transaction is cancelled: each transaction costs in proportion to the table, and the local
stack's one table grows with every test that uses it. Here (`_without_copying`) a transaction
is judged first, each condition on its item as it stands, as DynamoDB judges them: one that a
condition cancels is told so with the reasons moto would give, and one whose conditions all
hold is written item by item, with only those items kept to put back. Anything else, or any
error while writing, goes to moto's own code, from the state as it was.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import ConditionalCheckFailed, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from passaparola_localstack import moto_speedups

_Errors = list[tuple[str | None, str | None, dict[str, Any] | None]]


def _judged(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Errors | None:
    """Each item's reason, in order, as moto would cancel the transaction with them (all
    `(None, None, None)` when every condition holds); None for a transaction moto refuses for
    another reason (too long, two operations on one item, an unknown operation), which moto's
    own code then answers."""
    if len(transact_items) > 100:
        return None
    errors: _Errors = []
    seen = set()
    for entry in transact_items:
        if len(entry) != 1:
            return None
        kind, op = next(iter(entry.items()))
        if kind not in ("ConditionCheck", "Put", "Delete", "Update"):
            return None
        key = _key(backend, kind, op)
        identity = (op["TableName"], repr(sorted(key.items())))
        if identity in seen:
            return None
        seen.add(identity)
        condition = op.get("ConditionExpression")
        current = backend.get_item(op["TableName"], key)
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if condition is None or get_filter_expression(condition, names, values).expr(current):
            errors.append((None, None, None))
            continue
        old = (
            current.to_json()["Attributes"]
            if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            else None
        )
        errors.append(("ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old))
    return errors


def _key(backend: DynamoDBBackend, kind: str, op: dict[str, Any]) -> dict[str, Any]:
    if kind != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    return {name: op["Item"][name] for name in names}


def _write(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """Write a transaction whose conditions all hold (nothing else runs meanwhile: the server
    is serial); on any error, put back the items written so far and raise it."""
    before: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    try:
        for entry in transact_items:
            kind, op = next(iter(entry.items()))
            if kind == "ConditionCheck":
                continue
            table, key = op["TableName"], _key(backend, kind, op)
            current = backend.get_item(table, key)
            before.append((table, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if kind == "Put":
                backend.put_item(
                    table, op["Item"], expression_attribute_names=names, expression_attribute_values=values
                )
            elif kind == "Delete":
                backend.delete_item(
                    table, key, expression_attribute_names=names, expression_attribute_values=values
                )
            else:
                backend.update_item(
                    table,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
    except Exception:
        for table, key, item in reversed(before):
            if item is None:
                backend.delete_item(table, key)
            else:
                backend.put_item(table, item)
        raise


def _without_copying(run: Callable[[DynamoDBBackend, list[dict[str, Any]]], None]) -> Any:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        errors = _judged(self, transact_items)
        if errors is None:
            run(self, transact_items)
        elif any(code for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        else:
            try:
                _write(self, transact_items)
            except Exception:
                run(self, transact_items)  # moto's own answer to what went wrong, from the state before

    transact_write_items.without_copying = True  # type: ignore[attr-defined]
    return transact_write_items


# What a request only reads, by its operation's first word (X-Amz-Target's last part).
_READS = ("Get", "Describe", "List", "Receive", "Query", "Scan", "BatchGet")


class Writes:
    """How many requests that may have changed something moto has answered: the local stack's
    pollers, having found nothing, wait for the next one (a message sent, an item written, so a
    stream record) rather than asking moto again every fifth of a second. Idle, they asked
    fifty times a second, a quarter of a processor."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0

    def counted(self) -> int:
        return self._count

    def wrote(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_for_one_after(self, counted: int, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._count != counted, timeout)


class SerialMotoServer(ThreadedMotoServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self.writes = Writes()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto_speedups.install()
        if not getattr(DynamoDBBackend.transact_write_items, "without_copying", False):
            DynamoDBBackend.transact_write_items = _without_copying(  # type: ignore[method-assign]
                DynamoDBBackend.transact_write_items
            )

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            answer = app(environ, start_response)  # one request at a time: it is done here
            operation = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
            if not operation.startswith(_READS):
                self.writes.wrote()
            return answer

        self._server = make_server(
            self._ip_address, self._port, counting, threaded=False, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.05)

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"


def start() -> SerialMotoServer:
    server = SerialMotoServer()
    server.start()
    return server
