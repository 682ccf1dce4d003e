"""The operations endpoint of every service: /metrics, /health (liveness), /health/ready."""

import json
import urllib.error
import urllib.request

from core import metrics
from tests.support import free_port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_health_ready_and_metrics_beside_each_other():
    state = {"kafka": True}
    server = metrics.serve("127.0.0.1", free_port(), ready=lambda: dict(state))
    base = server.url.removesuffix("/metrics")
    try:
        assert get(f"{base}/health") == (200, '{"status": "ok"}')
        status, body = get(f"{base}/health/ready")
        assert status == 200 and json.loads(body)["checks"] == {"kafka": True}
        state["kafka"] = False
        status, body = get(f"{base}/health/ready")
        assert status == 503 and json.loads(body)["status"] == "unavailable"
        status, body = get(server.url)
        assert status == 200 and "python_info" in body
        assert get(f"{base}/nothing")[0] == 404
        assert server.health_url == f"{base}/health"
    finally:
        server.close()


def test_a_failing_check_is_not_ready_rather_than_an_error():
    def broken() -> dict[str, bool]:
        raise RuntimeError("database gone")

    server = metrics.serve("127.0.0.1", free_port(), ready=broken)
    try:
        status, body = get(server.url.replace("/metrics", "/health/ready"))
        assert status == 503 and "database gone" in body
    finally:
        server.close()
