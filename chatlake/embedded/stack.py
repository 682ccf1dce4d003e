"""The one-laptop stack: embedded Kafka and PostgreSQL, topics, migrations, the lake archiver,
the API, and the PyFlink detector.

Each part is started only when it is not running already and not pointed elsewhere by settings, so
`up` can be repeated and `down` stops exactly what `up` left behind, even after a partial start.
"""

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chatlake_contracts.params_file import ParamsFileError
from chatlake_contracts.topics import TOPICS
from psycopg.conninfo import conninfo_to_dict

from chatlake.embedded import kafka, processes
from chatlake.embedded.postgres import EmbeddedPostgres
from core.settings import Settings
from warehouse.postgres import apply_migrations

ARCHIVER = "archiver"
API = "api"
DETECTOR = "detector"
API_START_TIMEOUT_SECONDS = 20.0  # uvicorn serves in about a second; allow a slow first import
ARCHIVER_GRACE_SECONDS = (
    1.5  # an archiver that dies this fast (bad config, missing command) is reported
)

Say = Callable[[str], None]


def default_archiver_command() -> list[str]:
    return [sys.executable, "-m", "chatlake.cli", "archive"]


def default_api_command() -> list[str]:
    return [sys.executable, "-m", "chatlake.cli", "api", "serve", "--host", "127.0.0.1"]


def default_detector_command() -> list[str]:
    return [sys.executable, "-m", "chatlake.cli", "detector", "run"]


@dataclass(frozen=True)
class PartStatus:
    part: str
    state: str  # running | stopped | external
    pid: int | None
    endpoint: str | None


def embedded_postgres(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(
        root=settings.state_dir / "postgres",
        port=settings.postgres.port,
        log_path=processes.log_file(settings.log_dir, "postgres"),
    )


def up(settings: Settings, say: Say, archiver_command: Sequence[str] | None = None,
       *, detector: bool | None = None) -> None:
    """Start whatever is missing; raises with a one-line reason when a part cannot start.

    `detector` (default: the `detector_in_up` setting) also starts the PyFlink detector."""
    start_detector = settings.detector.in_up if detector is None else detector
    if start_detector and processes.running(settings.run_dir, DETECTOR) is None:
        _check_detector_params(settings)
    postgres = embedded_postgres(settings)
    start_kafka = settings.kafka.embedded and kafka.running(settings.run_dir) is None
    start_postgres = settings.postgres.embedded and postgres.running() is None
    # Check ports and folders before starting anything, so a failure leaves nothing half-started.
    if start_kafka:
        processes.ensure_port_free(settings.kafka.port, "the embedded Kafka (Tansu)")
    if start_postgres:
        postgres.preflight()
    if processes.running(settings.run_dir, API) is None:
        processes.ensure_port_free(settings.api.port, "the web UI and API")

    _up_kafka(settings, say, start=start_kafka)
    _up_postgres(settings, postgres, say, start=start_postgres)
    _up_archiver(settings, say, archiver_command or default_archiver_command())
    _up_api(settings, say)
    if start_detector:
        _up_detector(settings, say)


def _check_detector_params(settings: Settings) -> None:
    """A malformed params file stops `up` before anything starts, rather than the detector
    dying in the background with the reason only in its log."""
    from detector.job import applied  # the very check `detector run` makes

    try:
        applied(settings)
    except ParamsFileError as error:
        raise processes.StartupError(f"detector: {error}") from None


def _up_detector(settings: Settings, say: Say) -> None:
    if settings.detector.flink_address:
        _submit_detector(settings, say)
        return
    current = processes.running(settings.run_dir, DETECTOR)
    if current is not None:
        say(f"detector already running (pid {current.pid})")
        return
    # Not waited for: the mini-cluster needs 15-25 s, and its first start installs the
    # streaming environment (minutes). Its log says when it runs.
    record = processes.start_detached(
        DETECTOR, default_detector_command(), run_dir=settings.run_dir,
        log_dir=settings.log_dir, env=archiver_environment(settings), cwd=Path.cwd(),
    )
    say(f"detector starting (pid {record.pid}), log "
        f"{processes.log_file(settings.log_dir, DETECTOR)}")


def _submit_detector(settings: Settings, say: Say) -> None:
    """A Flink cluster is configured: submit the job there unless it already runs."""
    from detector import flink_cluster

    address = settings.detector.flink_address
    try:
        jobs = flink_cluster.rest(address, "/jobs/overview").get("jobs", [])
    except OSError as error:
        raise processes.StartupError(f"the Flink cluster at {address} does not answer: "
                                     f"{error}") from None
    running = [j for j in jobs if j.get("name") == "chatlake-detector"
               and j.get("state") in ("RUNNING", "CREATED", "RESTARTING", "INITIALIZING")]
    if running:
        say(f"detector already running on the Flink cluster {address} (job {running[0]['jid']})")
        return
    python = settings.detector.flink_python
    try:
        job_id = flink_cluster.submit(
            address, flink_cluster.job_arguments(settings, python=python and Path(python)),
            python=python and Path(python), log_dir=settings.log_dir / "flink-client")
    except RuntimeError as error:
        raise processes.StartupError(f"detector: {error}") from None
    say(f"detector submitted to the Flink cluster {address} (job {job_id})")


def _up_kafka(settings: Settings, say: Say, *, start: bool) -> None:
    servers = settings.kafka.servers
    if start:
        began = time.monotonic()
        record = kafka.start(
            settings.kafka.port, run_dir=settings.run_dir, log_dir=settings.log_dir
        )
        say(f"Kafka ready at {servers} in {time.monotonic() - began:.1f} s (pid {record.pid})")
    elif settings.kafka.embedded:
        say(f"Kafka already running at {servers} (pid {kafka.running(settings.run_dir).pid})")
    else:
        if not kafka.wait_ready(servers, timeout=30.0):
            raise processes.StartupError(f"the external Kafka at {servers} does not answer")
        say(f"Kafka: external at {servers}")
    created = kafka.create_topics(servers, TOPICS)
    say(f"topics: {len(TOPICS)} present" + (f", created {', '.join(created)}" if created else ""))


def _up_postgres(settings: Settings, postgres: EmbeddedPostgres, say: Say, *, start: bool) -> None:
    if start:
        began = time.monotonic()
        record = postgres.start()
        say(
            f"PostgreSQL ready at {postgres.endpoint} in {time.monotonic() - began:.1f} s "
            f"(pid {record.pid})"
        )
    elif settings.postgres.embedded:
        say(f"PostgreSQL already running at {postgres.endpoint} (pid {postgres.running().pid})")
    else:
        say(f"PostgreSQL: external at {postgres_endpoint(settings)}")
    applied = apply_migrations(settings.postgres.url)
    say("migrations: " + (f"applied {', '.join(applied)}" if applied else "up to date"))


def _up_archiver(settings: Settings, say: Say, command: Sequence[str]) -> None:
    current = processes.running(settings.run_dir, ARCHIVER)
    if current is not None:
        say(f"archiver already running (pid {current.pid})")
        return
    record = processes.start_detached(
        ARCHIVER,
        command,
        run_dir=settings.run_dir,
        log_dir=settings.log_dir,
        env=archiver_environment(settings),
        cwd=Path.cwd(),
    )
    exited = processes.wait_until(
        lambda: not processes.is_alive(record.pid, record.create_time),
        timeout=ARCHIVER_GRACE_SECONDS,
    )
    if exited:
        processes.stop(settings.run_dir, ARCHIVER)
        log = processes.log_file(settings.log_dir, ARCHIVER)
        raise processes.StartupError(
            f"the archiver exited right after starting; see {log}:\n{processes.log_tail(log)}"
        )
    say(
        f"archiver started (pid {record.pid}), log {processes.log_file(settings.log_dir, ARCHIVER)}"
    )


def _up_api(settings: Settings, say: Say) -> None:
    current = processes.running(settings.run_dir, API)
    if current is not None:
        say(f"API already running at http://{current.endpoint} (pid {current.pid})")
        return
    endpoint = f"127.0.0.1:{settings.api.port}"
    record = processes.start_detached(
        API, default_api_command(), run_dir=settings.run_dir, log_dir=settings.log_dir,
        env=archiver_environment(settings), cwd=Path.cwd(), endpoint=endpoint,
    )
    serving = processes.wait_until(
        lambda: processes.port_accepts(settings.api.port)
        or not processes.is_alive(record.pid, record.create_time),
        timeout=API_START_TIMEOUT_SECONDS,
    )
    if not serving or not processes.is_alive(record.pid, record.create_time):
        processes.stop(settings.run_dir, API)
        log = processes.log_file(settings.log_dir, API)
        raise processes.StartupError(
            f"the API did not start serving; see {log}:\n{processes.log_tail(log)}"
        )
    say(f"API and web UI at http://{endpoint}/ (pid {record.pid})")


def archiver_environment(settings: Settings) -> dict[str, str]:
    """The caller's environment (all CHATLAKE_* included), with the state folder made absolute."""
    env = dict(os.environ)
    env["CHATLAKE_STATE_DIR"] = str(settings.state_dir.resolve())
    return env


def down(settings: Settings, say: Say) -> None:
    """Stop the detector, the API, the archiver, then Kafka, then PostgreSQL; parts not running
    are skipped."""
    for part, stop in (
        ("detector", lambda: processes.stop(settings.run_dir, DETECTOR)),
        ("API", lambda: processes.stop(settings.run_dir, API)),
        ("archiver", lambda: processes.stop(settings.run_dir, ARCHIVER)),
        ("Kafka", lambda: kafka.stop(settings.run_dir)),
        ("PostgreSQL", lambda: embedded_postgres(settings).stop()),
    ):
        record = stop()
        say(f"{part}: stopped (pid {record.pid})" if record else f"{part}: not running")


def status(settings: Settings) -> list[PartStatus]:
    postgres = embedded_postgres(settings)
    parts = []
    if settings.kafka.embedded:
        parts.append(
            _embedded_status("kafka", kafka.running(settings.run_dir), settings.kafka.servers)
        )
    else:
        parts.append(PartStatus("kafka", "external", None, settings.kafka.servers))
    if settings.postgres.embedded:
        parts.append(_embedded_status("postgres", postgres.running(), postgres.endpoint))
    else:
        parts.append(PartStatus("postgres", "external", None, postgres_endpoint(settings)))
    parts.append(_embedded_status(ARCHIVER, processes.running(settings.run_dir, ARCHIVER), None))
    parts.append(_embedded_status(API, processes.running(settings.run_dir, API), None))
    detector = processes.running(settings.run_dir, DETECTOR)
    if detector is not None or settings.detector.in_up:
        parts.append(_embedded_status(DETECTOR, detector, None))
    return parts


def _embedded_status(
    part: str, record: processes.ProcessRecord | None, endpoint: str | None
) -> PartStatus:
    if record is None:
        return PartStatus(part, "stopped", None, endpoint)
    return PartStatus(part, "running", record.pid, record.endpoint or endpoint)


def postgres_endpoint(settings: Settings) -> str:
    """host:port of the database, never the password."""
    params = conninfo_to_dict(settings.postgres.url)
    return f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
