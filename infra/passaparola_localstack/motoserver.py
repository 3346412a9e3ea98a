"""moto as a local server that answers one request at a time.

moto keeps no item locks, so two requests served at once can interleave inside a single
conditional write (a spike lost counts under 8 threads in process). Served one at a time,
each write is atomic, as DynamoDB's are: concurrency tests and the local stack both use this.

moto also copies every table a transaction writes, whole, before it starts, to put it back if
the transaction is cancelled: each transaction costs in proportion to the table, and the local
stack's one table grows with every order. A transaction that a condition cancels is told here
before that copy (`_cancel_without_copying`), with the same reasons moto would give.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import ConditionalCheckFailed, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_Errors = list[tuple[str | None, str | None, dict[str, Any] | None]]


def _failed_conditions(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Errors | None:
    """What moto would cancel the transaction with when a condition fails, each item's reason
    in order: DynamoDB judges each condition on its own item as it was before the transaction,
    and one transaction writes an item once. None when every condition holds, or when the
    transaction is one moto refuses for another reason: moto then runs it as it always does."""
    errors: _Errors = []
    seen = set()
    for entry in transact_items:
        if len(entry) != 1:
            return None
        kind, op = next(iter(entry.items()))
        if kind not in ("ConditionCheck", "Put", "Delete", "Update"):
            return None
        table = backend.get_table(op["TableName"])
        if kind == "Put":
            names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
            key = {name: op["Item"][name] for name in names}
        else:
            key = op["Key"]
        identity = (op["TableName"], repr(sorted(key.items())))
        if identity in seen:
            return None
        seen.add(identity)
        condition = op.get("ConditionExpression")
        current = backend.get_item(op["TableName"], key)
        names_, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if condition is None or get_filter_expression(condition, names_, values).expr(current):
            errors.append((None, None, None))
            continue
        old = (
            current.to_json()["Attributes"]
            if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            else None
        )
        errors.append(("ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old))
    return errors if any(code for code, _, _ in errors) else None


def _cancel_without_copying(run: Callable[[DynamoDBBackend, list[dict[str, Any]]], None]) -> Any:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        errors = _failed_conditions(self, transact_items) if len(transact_items) <= 100 else None
        if errors is not None:
            raise TransactionCanceledException(errors)
        run(self, transact_items)

    transact_write_items.cancels_without_copying = True  # type: ignore[attr-defined]
    return transact_write_items


class SerialMotoServer(ThreadedMotoServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        if not getattr(DynamoDBBackend.transact_write_items, "cancels_without_copying", False):
            DynamoDBBackend.transact_write_items = _cancel_without_copying(  # type: ignore[method-assign]
                DynamoDBBackend.transact_write_items
            )

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            self._ip_address, self._port, app, threaded=False, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=0.05)

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def reset(self) -> None:
        """Forget every resource (between tests)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback server
            response.read()


def start() -> SerialMotoServer:
    server = SerialMotoServer()
    server.start()
    return server
