"""Helpers of the operations tests: the shipped deploy/ folder, rendered configs, and a local
HTTP server standing in for Discord's webhook endpoint."""

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def tool(name: str) -> str:
    """The Debian package's binary (.ci/run installs prometheus, prometheus-alertmanager and
    prometheus-node-exporter); a missing one fails the test with what to install."""
    found = shutil.which(name)
    assert found, f"{name} is not installed: apt-get install prometheus " \
                  "prometheus-alertmanager prometheus-node-exporter"
    return found


class DiscordStandIn:
    """Records every POST body (Discord webhook payloads are JSON) and answers 204 like
    Discord does."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []
        self.paths: list[str] = []
        self.arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.paths.append(self.path)
                owner.payloads.append(json.loads(body))
                owner.arrived.set()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/webhooks/1/secret"


@contextmanager
def discord_standin() -> Iterator[DiscordStandIn]:
    standin = DiscordStandIn()
    thread = threading.Thread(target=standin.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        standin.server.shutdown()
        standin.server.server_close()
