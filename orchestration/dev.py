"""`uv run python -m orchestration.dev [dagster dev options]`: the Dagster UI and daemon (which
runs `stream_monitor_schedule`) with chatlake's settings.

Why not plain `dagster dev`: DAGSTER_HOME must be the state folder (runs, schedules and logs
live beside the rest of chatlake's state) with telemetry off, as this machine has no route out,
and a SIGINT ignored by our parent must not be inherited (dagster then ignores SIGTERM too).
"""

import os
import shutil
import signal
import sys
from pathlib import Path

from core.settings import Settings

DAGSTER_YAML = """# Written by chatlake (orchestration/dev.py).
telemetry:
  enabled: false
"""


def dagster_home(settings: Settings) -> Path:
    """<state_dir>/dagster with a dagster.yaml that turns telemetry off."""
    home = (settings.state_dir / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home


def dagster_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DAGSTER_HOME"] = str(dagster_home(settings))
    env["DAGSTER_DISABLE_TELEMETRY"] = "yes"
    env["CHATLAKE_STATE_DIR"] = str(settings.state_dir.resolve())
    return env


def main(argv: list[str]) -> None:
    settings = Settings()
    dagster = shutil.which("dagster") or str(Path(sys.executable).with_name("dagster"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    command = [dagster, "dev", "-m", "orchestration.definitions", *argv]
    os.execve(dagster, command, dagster_environment(settings))  # noqa: S606 - our own tool


if __name__ == "__main__":
    main(sys.argv[1:])
