"""Where each chatlake process serves its operations endpoints, and what they answer.

Every long-running `chatlake` command records itself in `<run_dir>/<service>@<pid>.pid` when
it starts (`announce`), beside the records `up` and the demo keep for the processes they start
(`archiver`, `api`, `detector`, `demo-ingest`, ...), so `chatlake status` finds all of them: the
stack's parts, the demo's children, and services started by hand in another terminal.
"""

import atexit
import contextlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

import psutil

from chatlake.embedded import processes
from core.settings import Settings

# `chatlake <command>` -> the service it runs, for the commands that run until stopped.
LONG_RUNNING = {("archive",): "archiver", ("api", "serve"): "api", ("ingest",): "ingest",
                ("clipper",): "clipper", ("monitor", "run"): "monitor",
                ("detector", "run"): "detector", ("demo",): "demo", ("standin",): "standin"}


READY_TIMEOUT_S = 8.0


@dataclass(frozen=True)
class Endpoints:
    health: str | None
    ready: str | None
    metrics: str | None


def service_of(name: str) -> str:
    """`demo-ingest` -> ingest, `clipper@123` -> clipper, `archiver` -> archiver."""
    return name.split("@", 1)[0].removeprefix("demo-")


def endpoints(settings: Settings, name: str) -> Endpoints:
    host = settings.metrics.host
    service = service_of(name)
    ports = {"archiver": settings.metrics.archiver_port, "ingest": settings.metrics.ingest_port,
             "clipper": settings.metrics.clipper_port, "monitor": settings.metrics.monitor_port,
             "demo": settings.metrics.monitor_port}  # the demo runs the monitor itself
    if service == "api":
        base = f"http://127.0.0.1:{settings.api.port}"
        return Endpoints(f"{base}/health", f"{base}/health/ready", f"{base}/metrics")
    if service == "detector":
        # Health from the job's driver, metrics from Flink's Prometheus reporter.
        port = (settings.detector.metrics_port or "").split("-")[0]
        metrics_url = f"http://{host}:{port}/metrics" if port else None
        health = settings.metrics.detector_port
        if not health:
            return Endpoints(metrics_url, None, metrics_url)
        base = f"http://{host}:{health}"
        return Endpoints(f"{base}/health", f"{base}/health/ready", metrics_url)
    port = ports.get(service)
    if not port:
        return Endpoints(None, None, None)
    base = f"http://{host}:{port}"
    return Endpoints(f"{base}/health", f"{base}/health/ready", f"{base}/metrics")


def probe(url: str | None, timeout: float = 1.0) -> str:
    """ok | unready (503) | down (no answer) | - (nothing to ask)."""
    if url is None:
        return "-"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - ours
            return "ok" if response.status == 200 else f"http {response.status}"
    except urllib.error.HTTPError as error:
        return "unready" if error.code == 503 else f"http {error.code}"
    except (OSError, ValueError):
        return "down"


def long_running(argv: list[str]) -> str | None:
    """The service `chatlake <argv>` runs until stopped, or None for a one-shot command."""
    words = tuple(word for word in argv if not word.startswith("-"))
    return next((s for command, s in LONG_RUNNING.items()
                 if words[:len(command)] == command), None)


def announce(settings: Settings, service: str, argv: list[str]) -> None:
    """Record this process (removed at exit; a record left by a process that exec'd or was
    killed is dropped by the next `running_records`)."""
    pid = os.getpid()
    name = f"{service}@{pid}"
    record = processes.ProcessRecord(name=name, pid=pid,
                                     create_time=psutil.Process(pid).create_time(),
                                     command=["chatlake", *argv])
    with contextlib.suppress(OSError):
        processes.write_record(settings.run_dir, record)
        atexit.register(lambda: processes.pid_file(settings.run_dir, name).unlink(
            missing_ok=True))


def running_records(settings: Settings) -> list[processes.ProcessRecord]:
    """Every live recorded process, one per pid (a named record wins over a self-record)."""
    found: dict[int, processes.ProcessRecord] = {}
    if not settings.run_dir.is_dir():
        return []
    for path in sorted(settings.run_dir.glob("*.pid")):
        record = processes.running(settings.run_dir, path.stem)
        if record is None:
            continue
        if record.pid not in found or "@" in found[record.pid].name:
            found[record.pid] = record
    return sorted(found.values(), key=lambda r: r.name)


def describe(settings: Settings, record: processes.ProcessRecord) -> dict[str, str]:
    points = endpoints(settings, record.name)
    health = probe(points.health)
    if health == "ok" and points.ready:
        # Readiness queries dependencies (the API's runs DuckDB over the lake): give it time.
        health = "ready" if probe(points.ready, timeout=READY_TIMEOUT_S) == "ok" \
            else "live, not ready"
    return {"health": health, "metrics": points.metrics or "-"}

