"""The detector on a standalone Flink cluster: submitting the job with `flink run -py`, and a
standalone cluster started from the Flink distribution inside the pyflink wheel.

The pyflink wheel in `streaming/.venv` is a whole Flink 2.0.0 (`bin/jobmanager.sh`,
`bin/taskmanager.sh`, `bin/flink`, `lib/` with the connector jars). `submit_command` is what
`chatlake detector submit` runs against any Flink 2.0 cluster's REST address;
`StandaloneCluster` starts a JobManager and TaskManagers from that distribution with their own
ports and their own configuration, log and temp folders (never the wheel's `conf/` or `log/`),
for tests, benchmarks and a one-machine cluster.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import Settings
from detector.job import STREAMING_DIR, detector_command, jdbc_parts, params_from, streaming_python

JOB_FILE = STREAMING_DIR / "chatlake_streaming" / "job.py"
# The JVMs of the job and the cluster run in UTC: pgjdbc writes TIMESTAMP values with the JVM's
# zone offset, so a cluster in another zone would shift every detection's timestamptz columns.
UTC_OPTION = "-Duser.timezone=UTC"


def flink_home() -> Path:
    """The Flink distribution inside the streaming environment's pyflink package."""
    found = sorted((STREAMING_DIR / ".venv" / "lib").glob("python3*/site-packages/pyflink"))
    if not found or not (found[0] / "bin" / "flink").is_file():
        raise RuntimeError(f"no Flink distribution under {STREAMING_DIR / '.venv'}: "
                           "run `uv sync --project streaming` first")
    return found[0]


def _base_java_options(home: Path) -> str:
    """The wheel's `env.java.opts.all` (the --add-opens Flink needs on Java 17)."""
    text = (home / "conf" / "config.yaml").read_text()
    match = re.search(r"^\s+all:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def write_conf_dir(conf_dir: Path, options: dict[str, str], home: Path | None = None) -> Path:
    """A FLINK_CONF_DIR: the wheel's logging files plus a config.yaml of `options` (flat keys)
    on top of the wheel's Java options and UTC."""
    home = home or flink_home()
    conf_dir.mkdir(parents=True, exist_ok=True)
    for source in (home / "conf").iterdir():
        if source.name.startswith("log4j") or source.name.startswith("logback"):
            shutil.copy(source, conf_dir / source.name)
    merged = {"env.java.opts.all": f"{_base_java_options(home)} {UTC_OPTION}".strip()}
    merged |= options
    # JSON is YAML; Flink's config.yaml accepts flat `a.b.c` keys.
    lines = [f"{key}: {json.dumps(str(value))}" for key, value in merged.items()]
    (conf_dir / "config.yaml").write_text("\n".join(lines) + "\n")
    return conf_dir


def flink_environment(conf_dir: Path | None, log_dir: Path) -> dict[str, str]:
    """Environment for Flink's scripts: our conf and log folders, not the wheel's."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["FLINK_LOG_DIR"] = str(log_dir)
    if conf_dir is not None:
        env["FLINK_CONF_DIR"] = str(conf_dir)
    env["FLINK_PID_DIR"] = str(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    return env


def submit_command(address: str, job_arguments: list[str], *,
                   python: Path | None = None) -> list[str]:
    """`flink run -d -py job.py` against the JobManager's REST `address` (host:port); the job's
    own arguments follow. The workers run `python` (default: the streaming environment's), so it
    must exist on every TaskManager host at the same path (or pass another)."""
    python = python or streaming_python()
    return [str(flink_home() / "bin" / "flink"), "run", "--detached", "-m", address,
            "-py", str(JOB_FILE), "-pyclientexec", str(python), "-pyexec", str(python),
            *job_arguments]


def job_arguments(settings: Settings, *, parallelism: int | None = None,
                  restore: str | None = "latest", python: Path | None = None) -> list[str]:
    """The job's own arguments from the settings, as `detector run` gives them to the local
    job; the Prometheus reporter is the cluster's business (its config), not the job's."""
    jdbc_url, user, password = jdbc_parts(settings.postgres.url)
    command = detector_command(
        bootstrap=settings.kafka.servers, jdbc_url=jdbc_url, jdbc_user=user,
        jdbc_password=password, checkpoint_dir=settings.detector.checkpoint_uri,
        params=params_from(settings), group_id=settings.detector.group_id,
        parallelism=parallelism or settings.detector.parallelism, restore=restore,
        params_file=settings.detector.params_file, log_format=settings.log.format,
    )
    arguments = command[3:]  # after `python -m chatlake_streaming.job`
    if python is not None:
        at = arguments.index("--python")
        arguments[at + 1] = str(python)
    return arguments


JOB_ID = re.compile(r"JobID ([0-9a-f]{32})")


def submit(address: str, job_arguments: list[str], *, log_dir: Path,
           python: Path | None = None, timeout: float = 180.0) -> str:
    """Submit the detector; returns the Flink job id (raises with the client's output)."""
    result = subprocess.run(submit_command(address, job_arguments, python=python),
                            capture_output=True, text=True, timeout=timeout,
                            env=flink_environment(None, log_dir), check=False)
    output = result.stdout + result.stderr
    match = JOB_ID.search(output)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"flink run failed (exit {result.returncode}):\n{output[-4000:]}")
    return match.group(1)


def rest(address: str, path: str, method: str = "GET", timeout: float = 10.0) -> dict:
    request = urllib.request.Request(f"http://{address}{path}", method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http only
        body = response.read()
    return json.loads(body) if body else {}


@dataclass
class StandaloneCluster:
    """A JobManager and `taskmanagers` TaskManagers on 127.0.0.1, each a foreground JVM in a
    session of its own (so one can be SIGKILLed alone), all state under `root`."""

    root: Path
    rest_port: int
    rpc_port: int
    blob_port: int
    taskmanagers: int = 2
    slots: int = 2
    taskmanager_memory: str = "1024m"
    jobmanager_memory: str = "768m"
    extra: dict[str, str] = field(default_factory=dict)
    jobmanager: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.rest_port}"

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    def options(self) -> dict[str, str]:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return {
            "jobmanager.rpc.address": "127.0.0.1", "jobmanager.bind-host": "127.0.0.1",
            "jobmanager.rpc.port": str(self.rpc_port),
            "jobmanager.memory.process.size": self.jobmanager_memory,
            "rest.address": "127.0.0.1", "rest.bind-address": "127.0.0.1",
            "rest.port": str(self.rest_port), "blob.server.port": str(self.blob_port),
            "taskmanager.host": "127.0.0.1", "taskmanager.bind-host": "127.0.0.1",
            "taskmanager.rpc.port": "0", "taskmanager.data.port": "0",
            "metrics.internal.query-service.port": "0",
            "taskmanager.numberOfTaskSlots": str(self.slots),
            "taskmanager.memory.process.size": self.taskmanager_memory,
            # Flink's minimums (192m JVM overhead, 128m framework off-heap) are sized for
            # gigabytes; these leave a TaskManager of 1 GiB ~190 MB of task heap and 192 MB of
            # managed memory, which the Python workers of the detector use.
            "taskmanager.memory.jvm-overhead.min": "128m",
            "taskmanager.memory.framework.off-heap.size": "64m",
            "taskmanager.memory.managed.size": "192m",
            "taskmanager.memory.network.min": "32m", "taskmanager.memory.network.max": "64m",
            # Spread tasks over the TaskManagers when it can (Flink may still pack them).
            "taskmanager.load-balance.mode": "SLOTS",
            # A killed TaskManager is noticed in seconds, not after the 50 s default.
            "heartbeat.interval": "2000", "heartbeat.timeout": "10000",
            "io.tmp.dirs": str(tmp), "web.tmpdir": str(tmp),
            "jobmanager.execution.failover-strategy": "region",
        } | self.extra

    def start(self, timeout: float = 120.0) -> "StandaloneCluster":
        write_conf_dir(self.conf_dir, self.options())
        self.jobmanager = self._spawn("jobmanager.sh", "jobmanager")
        for index in range(self.taskmanagers):
            self.start_taskmanager(index)
        self.wait_for_taskmanagers(self.taskmanagers, timeout)
        return self

    def start_taskmanager(self, index: int) -> subprocess.Popen:
        process = self._spawn("taskmanager.sh", f"taskmanager-{index}",
                              "-D", f"taskmanager.resource-id=tm-{index}")
        if index < len(self.workers):
            self.workers[index] = process
        else:
            self.workers.append(process)
        return process

    def _spawn(self, script: str, name: str, *args: str) -> subprocess.Popen:
        env = flink_environment(self.conf_dir, self.log_dir)
        out = (self.log_dir / f"{name}.out").open("ab")
        # start-foreground execs the JVM, so the pid is the JVM's.
        return subprocess.Popen([str(flink_home() / "bin" / script), "start-foreground", *args],
                                stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)

    def overview(self) -> dict:
        return rest(self.address, "/overview")

    def wait_for_taskmanagers(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, ValueError):
                if self.overview().get("taskmanagers") == count:
                    return
            for name, process in [("jobmanager", self.jobmanager),
                                  *((f"taskmanager-{i}", w) for i, w in enumerate(self.workers))]:
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.log_tail(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{count} TaskManagers not registered after {timeout} s:\n"
                                   f"{self.log_tail('jobmanager')}")
            time.sleep(0.5)

    def job(self, job_id: str) -> dict:
        return rest(self.address, f"/jobs/{job_id}")

    def task_managers_of(self, job_id: str) -> set[str]:
        """Resource ids of the TaskManagers running a task of the job."""
        found = set()
        for vertex in self.job(job_id).get("vertices", ()):
            detail = rest(self.address, f"/jobs/{job_id}/vertices/{vertex['id']}/taskmanagers")
            for tm in detail.get("taskmanagers", ()):
                if tm.get("status") == "RUNNING":
                    found.add(tm.get("taskmanager-id"))
        return found

    def kill_taskmanager(self, index: int) -> None:
        """SIGKILL one TaskManager's JVM (its Python workers lose their runner and exit)."""
        process = self.workers[index]
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def cancel(self, job_id: str) -> None:
        with contextlib.suppress(OSError):
            rest(self.address, f"/jobs/{job_id}?mode=cancel", method="PATCH")

    def stop(self) -> None:
        """Stop every process of the cluster (and whatever they started in their sessions)."""
        for process in [*self.workers, self.jobmanager]:
            if process is None:
                continue
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=20)
                    break
                except subprocess.TimeoutExpired:
                    continue
            # The session may still hold Python workers after the JVM is gone.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The end of a process's console output (`jobmanager`, `taskmanager-0`, ...)."""
        path = self.log_dir / f"{name}.out"
        text = path.read_text(errors="replace") if path.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])
