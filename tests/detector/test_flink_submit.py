"""`chatlake detector submit`'s command line, without a cluster (the cluster test is
tests/streaming/test_flink_cluster.py)."""

from pathlib import Path

from typer.testing import CliRunner

from chatlake.cli import app
from core.settings import Settings
from detector import flink_cluster


def test_job_arguments_follow_the_settings(tmp_path):
    settings = Settings(state_dir=tmp_path, postgres={"dsn": "postgresql://u:p%40ss@db:5433/c"},
                        kafka={"bootstrap_servers": "k1:9092,k2:9092"},
                        detector={"parallelism": 3, "metrics_port": "9249"})
    args = flink_cluster.job_arguments(settings, python=Path("/opt/py/bin/python"))
    pairs = dict(zip(args[::2], args[1::2], strict=False))
    assert pairs["--bootstrap"] == "k1:9092,k2:9092"
    assert pairs["--jdbc-url"] == "jdbc:postgresql://db:5433/c"
    assert pairs["--jdbc-user"] == "u" and pairs["--jdbc-password"] == "p@ss"
    assert pairs["--parallelism"] == "3" and pairs["--python"] == "/opt/py/bin/python"
    assert pairs["--restore"] == "latest"
    assert "--metrics-port" not in args  # the cluster's reporter config, not the job's


def test_submit_command_runs_flink_run_py(monkeypatch):
    # The distribution's place, not its presence (this suite may run before it is installed).
    monkeypatch.setattr(flink_cluster, "flink_home", lambda: Path("/venv/site-packages/pyflink"))
    command = flink_cluster.submit_command("jm:8081", ["--bootstrap", "k:9092"],
                                           python=Path("/py"))
    assert command[0] == "/venv/site-packages/pyflink/bin/flink"
    assert command[1:5] == ["run", "--detached", "-m", "jm:8081"]
    assert command[command.index("-py") + 1].endswith("chatlake_streaming/job.py")
    assert command[-2:] == ["--bootstrap", "k:9092"]


def test_submit_without_a_cluster_says_which_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("CHATLAKE_DETECTOR_FLINK_ADDRESS", raising=False)
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["detector", "submit"])
    assert result.exit_code == 2
    assert "CHATLAKE_DETECTOR_FLINK_ADDRESS" in result.output


def test_up_with_a_cluster_that_does_not_answer_stops_with_the_address(tmp_path):
    import pytest

    from chatlake.embedded import processes, stack
    from tests.support import free_port

    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(state_dir=tmp_path, detector={"flink_address": address})
    with pytest.raises(processes.StartupError, match=f"Flink cluster at {address}"):
        stack._submit_detector(settings, print)


PARAMS_OPTIONS = ("--preset", "--bucket-ms", "--baseline-ms", "--k", "--cooldown-ms",
                  "--min-count", "--max-gap-ms")


def option_pairs(command: list[str]) -> dict[str, str]:
    """The job's parameter options on a command line."""
    return {flag: command[at + 1] for at, flag in enumerate(command) if flag in PARAMS_OPTIONS}


def test_the_preset_runs_unless_a_setting_replaces_one_of_its_fields(tmp_path, monkeypatch):
    from dataclasses import replace

    from chatlake_contracts import presets

    from detector.job import params_from

    for name in ("PRESET", "BUCKET_SECONDS", "BASELINE_SECONDS", "K", "COOLDOWN_SECONDS",
                 "MIN_COUNT"):
        monkeypatch.delenv(f"CHATLAKE_DETECTOR_{name}", raising=False)
    settings = Settings(state_dir=tmp_path)
    assert settings.detector.preset == presets.DEFAULT_PRESET
    # No value set: the preset as it is, none of the old defaults (5 s, k = 3) on top.
    assert params_from(settings) == presets.preset(presets.DEFAULT_PRESET)
    args = flink_cluster.job_arguments(settings)
    assert args[args.index("--preset") + 1] == presets.DEFAULT_PRESET
    assert "--bucket-ms" not in args and "--k" not in args

    monkeypatch.setenv("CHATLAKE_DETECTOR_PRESET", "seed")
    monkeypatch.setenv("CHATLAKE_DETECTOR_BUCKET_SECONDS", "10")
    monkeypatch.setenv("CHATLAKE_DETECTOR_BASELINE_SECONDS", "600")
    settings = Settings(state_dir=tmp_path)
    assert params_from(settings) == replace(presets.SEED, bucket_ms=10_000, baseline_ms=600_000)
    assert option_pairs(flink_cluster.job_arguments(settings)) == {
        "--preset": "seed", "--bucket-ms": "10000", "--baseline-ms": "600000"}

    # The learned preset with one field replaced: its model stays.
    monkeypatch.delenv("CHATLAKE_DETECTOR_BUCKET_SECONDS")
    monkeypatch.delenv("CHATLAKE_DETECTOR_BASELINE_SECONDS")
    settings = Settings(state_dir=tmp_path, detector={"preset": "learned", "cooldown_seconds": 60})
    assert params_from(settings) == replace(presets.LEARNED, cooldown_ms=60_000)
    assert option_pairs(flink_cluster.job_arguments(settings))["--cooldown-ms"] == "60000"


def test_an_unknown_preset_is_refused_with_the_known_ones(tmp_path, monkeypatch):
    import pytest
    from pydantic import ValidationError

    monkeypatch.setenv("CHATLAKE_DETECTOR_PRESET", "best")
    with pytest.raises(ValidationError, match=r"unknown detector preset 'best' \(known: seed, "
                       r"learned\)"):
        Settings(state_dir=tmp_path)


def test_the_command_line_carries_a_preset_and_only_what_differs_from_it():
    from dataclasses import replace

    import pytest
    from chatlake_contracts import presets
    from chatlake_contracts.detector import DetectorParams

    from detector.job import preset_options

    assert preset_options(presets.SEED) == ["--preset", "seed"]
    assert preset_options(presets.LEARNED) == ["--preset", "learned"]
    assert preset_options(replace(presets.SEED, k=50.0, max_gap_ms=60_000)) == [
        "--preset", "seed", "--k", "50.0", "--max-gap-ms", "60000"]
    assert preset_options(replace(presets.LEARNED, bucket_ms=4_000)) == [
        "--preset", "learned", "--bucket-ms", "4000"]
    # What the options cannot say (a variant, another model) needs a params file.
    with pytest.raises(ValueError, match="params file"):
        preset_options(DetectorParams(signal="chatters"))
    with pytest.raises(ValueError, match="params file"):
        preset_options(replace(presets.LEARNED, peak_wait=0))
