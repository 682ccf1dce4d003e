"""The demo stack (detector included) watched by a real Prometheus with the shipped config
(`chatlake ops up`: rendered for free ports, with Alertmanager and the node exporter): every
target is up, every query of every dashboard panel returns data, `chatlake status` lists every
chatlake process with its health and metrics URL, and with CHATLAKE_LOG_FORMAT=json every line
the chatlake services write is one JSON object holding no secret or token."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import STANDIN_CLIENT_SECRET
from tests.deploy.support import DEPLOY, tool
from tests.support import REPO_ROOT, free_port, reachable_tmp_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The chatlake services' logs (Tansu's and PostgreSQL's are the servers' own formats).
SERVICE_LOGS = ("archiver", "api", "demo-ingest", "demo-clipper", "demo-detector")


@dataclass
class Stack:
    state: Path
    env: dict[str, str]
    ports: dict[str, int]
    demo: subprocess.Popen

    def chatlake(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "chatlake.cli", *args], env=self.env,
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                              check=False)

    def prometheus(self, path: str, **query: str) -> dict:
        url = f"http://127.0.0.1:{self.ports['ALERTS_PROMETHEUS_PORT']}/api/v1/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())["data"]

    @property
    def output(self) -> Path:
        return self.state / "demo.out"


def eventually(condition, timeout: float, what: str, interval: float = 2.0):
    """Poll until `condition()` is truthy; the bound is generous, no timing is asserted."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    for name in ("prometheus", "prometheus-alertmanager", "prometheus-node-exporter"):
        tool(name)
    state = reachable_tmp_dir("chatlake-ops-")
    ports = {name: free_port() for name in (
        "KAFKA_PORT", "POSTGRES_PORT", "TWITCH_STANDIN_PORT", "API_PORT",
        "METRICS_MONITOR_PORT", "METRICS_INGEST_PORT", "METRICS_CLIPPER_PORT",
        "METRICS_ARCHIVER_PORT", "METRICS_DETECTOR_PORT", "DETECTOR_METRICS_PORT",
        "ALERTS_PROMETHEUS_PORT",
        "ALERTS_ALERTMANAGER_PORT", "ALERTS_NODE_EXPORTER_PORT")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATLAKE_")}
    env.update({f"CHATLAKE_{name}": str(port) for name, port in ports.items()})
    env.update({"CHATLAKE_STATE_DIR": str(state), "CHATLAKE_LOG_FORMAT": "json",
                "CHATLAKE_CLIPPER_READ_AFTER_S": "2", "CHATLAKE_ALERTS_SCRAPE_INTERVAL_S": "2",
                "CHATLAKE_METRICS_LAG_INTERVAL_S": "2"})
    with (state / "demo.out").open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "chatlake.cli", "demo", "--duration", "1500",
             "--monitor-interval", "2"], env=env, cwd=REPO_ROOT, stdout=out,
            stderr=subprocess.STDOUT)
    stack = Stack(state, env, ports, demo)
    try:
        eventually(lambda: "Where to look" in stack.output.read_text(), 300, "the demo to run")
        started = stack.chatlake("ops", "up")
        assert started.returncode == 0, started.stdout + started.stderr
        yield stack
    finally:
        stack.chatlake("ops", "down")
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            try:
                demo.wait(timeout=120)
            except subprocess.TimeoutExpired:
                demo.kill()
                demo.wait()
        stack.chatlake("down")
        shutil.rmtree(state, ignore_errors=True)


def dashboard_queries() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                found.append((path.stem, panel["title"], target["expr"]))
    return found


def test_every_target_is_up(stack):
    def all_up():
        targets = stack.prometheus("targets")["activeTargets"]
        jobs = {t["labels"]["job"]: t["health"] for t in targets}
        return set(jobs) == {"chatlake-monitor", "chatlake-ingest", "chatlake-clipper",
                             "chatlake-archiver", "chatlake-api", "flink", "node"} \
            and set(jobs.values()) == {"up"} and jobs

    # The detector installs nothing here (streaming/.venv exists) but its JVM needs a while.
    jobs = eventually(all_up, 420, "every scrape target to be up")
    assert len(jobs) == 7


def test_every_dashboard_panel_query_returns_data(stack):
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports['API_PORT']}/v1.0/clip",
                                timeout=10) as response:
        assert response.status == 200  # the API's request histograms have a sample
    queries = dashboard_queries()
    assert len(queries) > 20
    empty: list[tuple[str, str, str]] = list(queries)

    def none_empty():
        for query in list(empty):
            if stack.prometheus("query", query=query[2])["result"]:
                empty.remove(query)
        return not empty

    # Detections need the detector's baseline (the demo's is 60 s) and a synthetic burst.
    assert eventually(none_empty, 600, "every panel query to return data", interval=5), empty


def readiness(metrics_url: str) -> str:
    try:
        with urllib.request.urlopen(metrics_url.replace("/metrics", "/health/ready"),
                                    timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return f"{error.code}: {error.read().decode()}"
    except OSError as error:
        return repr(error)


def test_status_lists_every_chatlake_process_with_health_and_metrics(stack):
    result = stack.chatlake("status")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]
            if line.strip()}
    for name in ("archiver", "api", "demo-ingest", "demo-clipper", "demo-detector"):
        assert name in rows, result.stdout
        assert rows[name][1] == "running"
    assert any(name.startswith("demo@") for name in rows), result.stdout
    for name, port in (("demo-ingest", "METRICS_INGEST_PORT"),
                       ("demo-clipper", "METRICS_CLIPPER_PORT"),
                       ("archiver", "METRICS_ARCHIVER_PORT"),
                       ("demo-detector", "DETECTOR_METRICS_PORT"),
                       ("api", "API_PORT")):
        assert rows[name][-1] == f"http://127.0.0.1:{stack.ports[port]}/metrics", rows[name]
        assert rows[name][-2] in ("ready", "ok"), (rows[name], readiness(rows[name][-1]))


def test_every_service_log_line_is_json_without_secrets(stack):
    token = json.loads((stack.state / "demo" / "twitch-token.json").read_text())
    secrets = [STANDIN_CLIENT_SECRET, token["access_token"], token["refresh_token"]]
    files = [stack.state / "logs" / f"{name}.log" for name in SERVICE_LOGS]
    files.append(stack.output)
    lines = 0
    for path in files:
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            record = json.loads(line)  # raises on a line that is not JSON
            assert {"time", "level", "service", "event", "fields"} <= set(record), line
            assert not any(secret in line for secret in secrets), f"{path}:{number}"
            lines += 1
    assert lines > 50
