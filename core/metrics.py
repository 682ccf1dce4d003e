"""The operations endpoint every long-running chatlake service serves on its own port:

    GET /metrics        Prometheus text (the process's registry)
    GET /health         liveness: 200 {"status": "ok"} while the process serves
    GET /health/ready   readiness: 200 when every check passes, else 503; JSON with each check

    server = metrics.serve(settings.metrics.host, port, ready=lambda: {"kafka": True})
    ...                                                   # port 0: serve nothing
    server.close()

The metrics themselves live beside the service they describe (`ingest.monitor.metrics`,
`ingest.chat_ingest.metrics`, `clipper.metrics`, `warehouse.archiver_metrics`); this module
only serves them. The API serves the same three paths from Litestar on its own port.
"""

import json
import threading
from collections.abc import Callable, Mapping
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from core.listening import announce

Readiness = Callable[[], Mapping[str, bool]]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes every few seconds are not news."""


class MetricsServer:
    def __init__(self, server: WSGIServer | None, thread: threading.Thread | None,
                 host: str, port: int) -> None:
        self._server, self._thread, self.host, self.port = server, thread, host, port

    @property
    def url(self) -> str | None:
        """The /metrics URL (None when not serving)."""
        return f"http://{self.host}:{self.port}/metrics" if self._server else None

    @property
    def health_url(self) -> str | None:
        return f"http://{self.host}:{self.port}/health" if self._server else None

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def ops_app(ready: Readiness | None = None) -> Callable:
    """The WSGI app behind `serve`."""
    metrics_app = make_wsgi_app()

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
        if path == "/metrics":
            return metrics_app(environ, start_response)
        if path == "/health":
            return _json(start_response, 200, {"status": "ok"})
        if path == "/health/ready":
            try:
                checks = dict(ready()) if ready is not None else {}
            except Exception as error:  # a failing check is "not ready", never a 500
                checks = {"check": False, "error": str(error)}  # type: ignore[dict-item]
            ok = all(value is True for value in checks.values())
            return _json(start_response, 200 if ok else 503,
                         {"status": "ok" if ok else "unavailable", "checks": checks})
        return _json(start_response, 404, {"status": "not found",
                                           "paths": ["/metrics", "/health", "/health/ready"]})

    return app


def _json(start_response: Callable, status: int, body: dict) -> list[bytes]:
    text = {200: "200 OK", 404: "404 Not Found", 503: "503 Service Unavailable"}[status]
    data = json.dumps(body).encode()
    start_response(text, [("Content-Type", "application/json"),
                          ("Content-Length", str(len(data)))])
    return [data]


def serve(host: str, port: int, *, ready: Readiness | None = None) -> MetricsServer:
    """Serve /metrics, /health and /health/ready at http://host:port (port 0: do nothing).

    `ready` returns the readiness checks by name (all True: ready)."""
    if not port:
        return MetricsServer(None, None, host, 0)
    server = make_server(host, port, ops_app(ready), _Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="ops-endpoint", daemon=True)
    thread.start()
    announce("metrics and health endpoint", host, server.server_address[1])
    return MetricsServer(server, thread, host, server.server_address[1])
