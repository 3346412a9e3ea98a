"""moto as a local server that answers one request at a time.

moto keeps no item locks, so two requests served at once can interleave inside a single
conditional write (a spike lost counts under 8 threads in process). Served one at a time,
each write is atomic, as DynamoDB's are: concurrency tests and the local stack both use this.
"""

from __future__ import annotations

import logging
import urllib.request

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


class SerialMotoServer(ThreadedMotoServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

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
