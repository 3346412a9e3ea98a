"""moto as a local server that answers one request at a time.

moto keeps no item locks, so two requests served at once can interleave inside a single
conditional write (a spike lost counts under 8 threads in process). Served one at a time,
each write is atomic, as DynamoDB's are: concurrency tests and the local stack both use this.

moto_speedups is installed here too: among its short ways, transactions that keep only the
items they name to put back, where moto copied every table.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from passaparola_localstack import moto_speedups

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
