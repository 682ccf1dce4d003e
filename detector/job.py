"""Starting the PyFlink detector job: its environment, its command line, its parameters.

The job lives in `streaming/`, a uv project of its own (apache-flink pins apache-beam, which
pins numpy, pyarrow and protobuf below what this project uses). `ensure_streaming_env` syncs
that environment from its lock; `detector_command` is the job's command line for a local
mini-cluster. The job runs the applied parameters file (`chatlake tune --apply`) when it
exists, else the `CHATLAKE_DETECTOR_*` settings (`applied`).
"""

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chatlake_contracts import topics
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import AppliedParams, applied_params

from core.settings import Settings

STREAMING_DIR = Path(__file__).resolve().parents[1] / "streaming"


def params_from(settings: Settings) -> DetectorParams:
    return DetectorParams(
        bucket_ms=settings.detector.bucket_seconds * 1000,
        baseline_ms=settings.detector.baseline_seconds * 1000,
        k=settings.detector.k,
        cooldown_ms=settings.detector.cooldown_seconds * 1000,
        min_count=settings.detector.min_count,
    )


def applied(settings: Settings) -> AppliedParams:
    """What the job will run with; raises ParamsFileError when the params file is malformed."""
    return applied_params(settings.detector.params_file, params_from(settings),
                          "the CHATLAKE_DETECTOR_* settings")


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
                     params_file: Path | None = None, log_format: str = "text",
                     health_port: int = 0) -> list[str]:
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
    if log_format != "text":
        command += ["--log-format", log_format]
    if health_port:
        command += ["--health-port", str(health_port)]
    return command
