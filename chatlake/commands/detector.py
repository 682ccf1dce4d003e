"""`chatlake detector run` and `chatlake detector reference`.

The job lives in `streaming/`, a uv project of its own (apache-flink pins apache-beam, which
pins numpy, pyarrow and protobuf below what this project uses). `run` syncs that environment
from its lock the first time and starts the job with its interpreter on a local mini-cluster.
Both commands use the applied parameters file (`chatlake tune --apply`) when it exists, else the
`CHATLAKE_DETECTOR_*` settings.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlsplit

import typer
from chatlake_contracts import topics
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import AppliedParams, ParamsFileError, applied_params

from chatlake.settings import Settings

STREAMING_DIR = Path(__file__).resolve().parents[2] / "streaming"

detector_app = typer.Typer(help="The PyFlink detector and its Python reference.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detector_app, name="detector")


def params_from(settings: Settings) -> DetectorParams:
    return DetectorParams(
        bucket_ms=settings.detector_bucket_seconds * 1000,
        baseline_ms=settings.detector_baseline_seconds * 1000,
        k=settings.detector_k,
        cooldown_ms=settings.detector_cooldown_seconds * 1000,
        min_count=settings.detector_min_count,
    )


def applied(settings: Settings) -> AppliedParams:
    """What the job will run with; raises ParamsFileError when the params file is malformed."""
    return applied_params(settings.detector_params_path, params_from(settings),
                          "the CHATLAKE_DETECTOR_* settings")


def applied_or_exit(settings: Settings) -> AppliedParams:
    try:
        return applied(settings)
    except ParamsFileError as error:
        typer.echo(f"detector: {error}", err=True)
        raise typer.Exit(1) from None


def streaming_python() -> Path:
    return STREAMING_DIR / ".venv" / "bin" / "python"


def ensure_streaming_env() -> Path:
    """`uv sync --frozen` the streaming project (quick when nothing changed); its Python."""
    if not (STREAMING_DIR / "pyproject.toml").is_file():
        raise RuntimeError(f"the streaming project is missing: {STREAMING_DIR} (the detector "
                           "runs from a source checkout of chatlake)")
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise RuntimeError("`uv` is needed to install the detector's environment")
    # The main project's VIRTUAL_ENV must not leak into the other project's sync.
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run([uv, "sync", "--frozen", "--quiet", "--project", str(STREAMING_DIR)],
                   check=True, env=env)
    return streaming_python()


def jdbc_parts(dsn: str) -> tuple[str, str | None, str | None]:
    """postgresql://user:password@host:port/db -> (jdbc url, user, password)."""
    url = urlsplit(dsn)
    host = url.hostname or "127.0.0.1"
    port = f":{url.port}" if url.port else ""
    query = f"?{url.query}" if url.query else ""
    jdbc = f"jdbc:postgresql://{host}{port}{url.path}{query}"
    user = unquote(url.username) if url.username else None
    password = unquote(url.password) if url.password else None
    return jdbc, user, password


def detector_command(*, bootstrap: str, jdbc_url: str, jdbc_user: str | None,
                     jdbc_password: str | None, checkpoint_dir: str | Path,
                     params: DetectorParams, group_id: str, parallelism: int = 1,
                     messages_topic: str = topics.CHAT_MESSAGES,
                     windows_topic: str = topics.CHAT_WINDOWS,
                     dead_letters_topic: str = topics.DEAD_LETTERS,
                     checkpoint_interval_ms: int = 5_000, restore: str | None = "latest",
                     metrics_port: str | None = None,
                     params_file: Path | None = None) -> list[str]:
    """The job's command line; `params` are its fallback when `params_file` does not exist."""
    python = str(streaming_python())
    command = [
        python, "-m", "chatlake_streaming.job",
        "--bootstrap", bootstrap, "--group-id", group_id,
        "--messages-topic", messages_topic, "--windows-topic", windows_topic,
        "--dead-letters-topic", dead_letters_topic,
        "--jdbc-url", jdbc_url,
        "--checkpoint-dir", str(checkpoint_dir),
        "--checkpoint-interval-ms", str(checkpoint_interval_ms),
        "--parallelism", str(parallelism), "--python", python,
        "--bucket-ms", str(params.bucket_ms), "--baseline-ms", str(params.baseline_ms),
        "--k", repr(params.k), "--cooldown-ms", str(params.cooldown_ms),
        "--min-count", str(params.min_count),
    ]
    if params.max_gap_ms is not None:
        command += ["--max-gap-ms", str(params.max_gap_ms)]
    if jdbc_user:
        command += ["--jdbc-user", jdbc_user]
    if jdbc_password:
        command += ["--jdbc-password", jdbc_password]
    if restore:
        command += ["--restore", restore]
    if metrics_port:
        command += ["--metrics-port", metrics_port]
    if params_file:
        command += ["--params-file", str(params_file)]
    return command


@detector_app.command("run")
def run_command(
    fresh: Annotated[bool, typer.Option(
        help="Ignore retained checkpoints (the Kafka group's committed offsets still apply)."
    )] = False,
    parallelism: Annotated[int | None, typer.Option(help="Overrides the setting.")] = None,
) -> None:
    """Run the detector on a local Flink mini-cluster until interrupted."""
    settings = Settings()
    # Checked here too (the job reads the file itself) so a bad file fails before uv and the JVM.
    params = applied_or_exit(settings)
    python = ensure_streaming_env()
    if settings.embedded_kafka:
        from chatlake.embedded import kafka

        kafka.create_topics(settings.kafka_servers, topics.TOPICS)
    jdbc_url, user, password = jdbc_parts(settings.postgres_url)
    command = detector_command(
        bootstrap=settings.kafka_servers, jdbc_url=jdbc_url, jdbc_user=user,
        jdbc_password=password, checkpoint_dir=settings.detector_checkpoints,
        params=params_from(settings), group_id=settings.detector_group_id,
        parallelism=parallelism or settings.detector_parallelism,
        restore=None if fresh else "latest", metrics_port=settings.detector_metrics_port or None,
        params_file=settings.detector_params_path,
    )
    typer.echo(f"detector: parameters from {params.source}", err=True)
    typer.echo(f"detector: starting the Flink job with {python}", err=True)
    # The job replaces this process, so signals from a supervisor (`up`, systemd) reach it.
    sys.stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - our own interpreter, arguments as a list


@detector_app.command("reference")
def reference_command(
    file: Annotated[Path, typer.Argument(help="A chat file the importers read.")],
    channel: Annotated[str | None, typer.Option(help="Channel (broadcaster id) to assign.")]
    = None,
    start: Annotated[str | None, typer.Option(
        help="ISO 8601 start time for files that carry only offsets into the video.")] = None,
) -> None:
    """Print the detections the job would make on a chat file (no Kafka, no Flink), with the
    applied parameters file when it exists."""
    from datetime import datetime

    from chatlake import detection
    from ingest.importers import ImportOptions, read_chat_file

    options = ImportOptions(channel=channel,
                            start=datetime.fromisoformat(start) if start else None)
    records = (r for r in read_chat_file(file, options) if isinstance(r, dict))
    params = applied_or_exit(Settings())
    windows = detection.windows_from_records(records, params.default.bucket_ms)
    found = detection.detect(windows, params.default, params.channels)
    typer.echo(f"parameters from {params.source}", err=True)
    typer.echo(f"{len(windows)} windows, {len(found)} detections")
    for d in found:
        stamp = datetime.fromtimestamp(d.window_end / 1000).astimezone().isoformat()
        typer.echo(f"{d.broadcaster_id} {stamp} count={d.message_count} "
                   f"mean={d.baseline_mean:.2f} std={d.baseline_std:.2f} "
                   f"threshold={d.threshold:.2f}")
