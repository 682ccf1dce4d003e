"""`chatlake detector run` and `chatlake detector reference`.

The job lives in `streaming/`, a uv project of its own (apache-flink pins apache-beam, which
pins numpy, pyarrow and protobuf below what this project uses). `run` syncs that environment
from its lock the first time and starts the job with its interpreter on a local mini-cluster.
Both commands use the applied parameters file (`chatlake tune --apply`) when it exists, else the
`CHATLAKE_DETECTOR_*` settings.
"""

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from chatlake_contracts import topics
from chatlake_contracts.params_file import AppliedParams, ParamsFileError

from core.settings import Settings
from detector.job import applied, detector_command, ensure_streaming_env, jdbc_parts, params_from

log = logging.getLogger(__name__)
detector_app = typer.Typer(help="The PyFlink detector and its Python reference.",
                           no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detector_app, name="detector")


def applied_or_exit(settings: Settings) -> AppliedParams:
    try:
        return applied(settings)
    except ParamsFileError as error:
        typer.echo(f"detector: {error}", err=True)
        raise typer.Exit(1) from None


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
    if settings.kafka.embedded:
        from chatlake.embedded import kafka

        kafka.create_topics(settings.kafka.servers, topics.TOPICS)
    jdbc_url, user, password = jdbc_parts(settings.postgres.url)
    command = detector_command(
        bootstrap=settings.kafka.servers, jdbc_url=jdbc_url, jdbc_user=user,
        jdbc_password=password, checkpoint_dir=settings.detector.checkpoint_uri,
        params=params_from(settings), group_id=settings.detector.group_id,
        parallelism=parallelism or settings.detector.parallelism,
        restore=None if fresh else "latest", metrics_port=settings.detector.metrics_port or None,
        params_file=settings.detector.params_file, log_format=settings.log.format,
        health_port=settings.metrics.detector_port,
    )
    log.info("detector: parameters from %s", params.source)
    log.info("detector: starting the Flink job with %s", python)
    # The job replaces this process, so signals from a supervisor (`up`, systemd) reach it.
    sys.stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - our own interpreter, arguments as a list


@detector_app.command("submit")
def submit_command(
    fresh: Annotated[bool, typer.Option(
        help="Ignore retained checkpoints (the Kafka group's committed offsets still apply)."
    )] = False,
    parallelism: Annotated[int | None, typer.Option(help="Overrides the setting.")] = None,
    address: Annotated[str | None, typer.Option(
        help="JobManager REST address host:port (default: CHATLAKE_DETECTOR_FLINK_ADDRESS).")]
    = None,
) -> None:
    """Submit the detector to a standalone Flink cluster with `flink run -py` (detached);
    prints the Flink job id."""
    from detector import flink_cluster

    settings = Settings()
    address = address or settings.detector.flink_address
    if not address:
        typer.echo("detector: no cluster: set CHATLAKE_DETECTOR_FLINK_ADDRESS or --address",
                   err=True)
        raise typer.Exit(2)
    params = applied_or_exit(settings)
    ensure_streaming_env()
    if settings.kafka.embedded:
        from chatlake.embedded import kafka

        kafka.create_topics(settings.kafka.servers, topics.TOPICS)
    python = Path(settings.detector.flink_python) if settings.detector.flink_python else None
    arguments = flink_cluster.job_arguments(settings, parallelism=parallelism,
                                            restore=None if fresh else "latest", python=python)
    typer.echo(f"detector: parameters from {params.source}", err=True)
    try:
        job_id = flink_cluster.submit(address, arguments, python=python,
                                      log_dir=settings.log_dir / "flink-client")
    except RuntimeError as error:
        typer.echo(f"detector: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(job_id)


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

    from detector import reference as detection
    from ingest.importers import ImportFileError, ImportOptions, read_chat_file

    options = ImportOptions(channel=channel,
                            start=datetime.fromisoformat(start) if start else None)
    params = applied_or_exit(Settings())
    try:
        records = [r for r in read_chat_file(file, options) if isinstance(r, dict)]
    except ImportFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    # With the content counts: a learned set (the default preset) scores them.
    windows = detection.windows_from_records(records, params.default.bucket_ms, content=True)
    found = detection.detect(windows, params.default, params.channels)
    typer.echo(f"parameters from {params.source}", err=True)
    typer.echo(f"{len(windows)} windows, {len(found)} detections")
    for d in found:
        stamp = datetime.fromtimestamp(d.window_end / 1000).astimezone().isoformat()
        typer.echo(f"{d.broadcaster_id} {stamp} count={d.message_count} "
                   f"mean={d.baseline_mean:.2f} std={d.baseline_std:.2f} "
                   f"threshold={d.threshold:.2f}")
