"""Starting the PyFlink detector job: its environment, its command line, its parameters.

The job lives in `streaming/`, a uv project of its own (apache-flink pins apache-beam, which
pins numpy, pyarrow and protobuf below what this project uses). `ensure_streaming_env` syncs
that environment from its lock; `detector_command` is the job's command line for a local
mini-cluster. The job runs the applied parameters file (`chatlake tune --apply`) when it
exists, else the `CHATLAKE_DETECTOR_PRESET` preset with the `CHATLAKE_DETECTOR_*` values that
are set replacing its fields (`applied`).
"""

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chatlake_contracts import presets, topics
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import AppliedParams, applied_params

from core.settings import Settings

STREAMING_DIR = Path(__file__).resolve().parents[1] / "streaming"


# The settings that override a preset's field, with the factor from the setting's unit.
OVERRIDES = {"bucket_seconds": ("bucket_ms", 1000), "baseline_seconds": ("baseline_ms", 1000),
             "k": ("k", 1), "cooldown_seconds": ("cooldown_ms", 1000),
             "min_count": ("min_count", 1)}
# The job's options that replace a preset's fields (`--bucket-ms` ...).
OPTION_FIELDS = ("bucket_ms", "baseline_ms", "k", "cooldown_ms", "min_count", "max_gap_ms")


def params_from(settings: Settings) -> DetectorParams:
    """The settings' preset with the values the user set (CHATLAKE_DETECTOR_BUCKET_SECONDS...)
    replacing its fields; ValueError when they do not fit together."""
    detector = settings.detector
    given = {field: getattr(detector, name) * factor
             for name, (field, factor) in OVERRIDES.items()
             if name in detector.model_fields_set and getattr(detector, name) is not None}
    try:
        return replace(presets.preset(detector.preset), **given)
    except ValueError as error:
        raise ValueError(f"the {detector.preset} preset with {given}: {error}") from None


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


def preset_options(params: DetectorParams, preset: str | None = None) -> list[str]:
    """`--preset NAME` and the options that turn that preset into `params` (only the fields
    that differ). Without `preset`, the one `params` can be made from (the default first);
    ValueError when none can: the job's options do not carry a model or a tuned variant, a
    params file does."""
    names = [preset] if preset else sorted(presets.PRESETS,
                                           key=lambda n: n != presets.DEFAULT_PRESET)
    for name in names:
        base = presets.preset(name)
        given = {f: getattr(params, f) for f in OPTION_FIELDS
                 if getattr(params, f) != getattr(base, f) and getattr(params, f) is not None}
        if replace(base, **given) == params:
            options = ["--preset", name]
            for field, value in given.items():
                options += [f"--{field.replace('_', '-')}",
                            repr(value) if isinstance(value, float) else str(value)]
            return options
    raise ValueError(f"{params} is no preset ({', '.join(names)}) with --bucket-ms ... options; "
                     "write it to a params file")


def detector_command(*, bootstrap: str, jdbc_url: str, jdbc_user: str | None,
                     jdbc_password: str | None, checkpoint_dir: str | Path,
                     params: DetectorParams, group_id: str, parallelism: int = 1,
                     messages_topic: str = topics.CHAT_MESSAGES,
                     windows_topic: str = topics.CHAT_WINDOWS,
                     dead_letters_topic: str = topics.DEAD_LETTERS,
                     checkpoint_interval_ms: int = 5_000, restore: str | None = "latest",
                     metrics_port: str | None = None,
                     params_file: Path | None = None, log_format: str = "text",
                     health_port: int = 0, preset: str | None = None) -> list[str]:
    """The job's command line; `params` are its fallback when `params_file` does not exist,
    passed as a preset and the options that differ from it (`preset_options`)."""
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
        *preset_options(params, preset),
    ]
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
