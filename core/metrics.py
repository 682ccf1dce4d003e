"""The `/metrics` endpoint every long-running chatlake service serves on its own port.

    server = metrics.serve(settings.metrics.host, port)   # port 0: serve nothing
    ...
    server.close()

The metrics themselves live beside the service they describe (`ingest.monitor.metrics`,
`ingest.chat_ingest.metrics`, `clipper.metrics`); this module only serves the registry.
"""

import threading
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server


class MetricsServer:
    def __init__(self, server: WSGIServer | None, thread: threading.Thread | None,
                 host: str, port: int) -> None:
        self._server, self._thread, self.host, self.port = server, thread, host, port

    @property
    def url(self) -> str | None:
        return f"http://{self.host}:{self.port}/metrics" if self._server else None

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve(host: str, port: int) -> MetricsServer:
    """Serve the process's metrics at http://host:port/metrics (port 0: do nothing)."""
    if not port:
        return MetricsServer(None, None, host, 0)
    server, thread = start_http_server(port, addr=host)
    return MetricsServer(server, thread, host, server.server_address[1])
