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
