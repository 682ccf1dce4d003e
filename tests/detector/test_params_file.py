"""The applied parameters file as the detector uses it: one reader (chatlake_contracts), the
job's single window length, per-channel parameters in the reference, and the commands refusing
a malformed file before anything starts. The job itself is tested in test_job.py."""

import json
import logging
import os
from dataclasses import replace

import pytest
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import (
    FORMAT,
    ParamsFileError,
    applied_params,
    load_params_file,
)
from typer.testing import CliRunner

from chatlake.cli import app
from chatlake.embedded import stack
from detector import reference as detection
from detector.params_file import write_params_file
from tests.detector.support import P, windows

runner = CliRunner()


def write(path, document) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))


def test_what_tune_writes_is_what_the_job_reads(tmp_path):
    path = tmp_path / "params.json"
    write_params_file(path, replace(P, k=2.5), tuning={"labels": "x"})
    write_params_file(path, channels={"42": replace(P, k=9.0, max_gap_ms=20_000)})
    default, channels = load_params_file(path)
    assert default == replace(P, k=2.5)  # kept when only a channel is applied
    assert channels == {"42": replace(P, k=9.0, max_gap_ms=20_000)}


def test_a_channel_entry_takes_missing_keys_from_the_default(tmp_path):
    path = tmp_path / "params.json"
    write(path, {"format": FORMAT, "default": {"k": 2.0, "min_count": 1},
                 "channels": {"7": {"cooldown_ms": 0}}})
    default, channels = load_params_file(path)
    assert default == DetectorParams(k=2.0, min_count=1)
    assert channels["7"] == DetectorParams(k=2.0, min_count=1, cooldown_ms=0)


@pytest.mark.parametrize(("document", "problem"), [
    ("{not json", "cannot read detector parameters"),
    ({"format": "something-else/1"}, f"not a {FORMAT} file"),
    ({"format": FORMAT, "default": {"kk": 1}}, "default: unknown key(s) kk"),
    ({"format": FORMAT, "default": {"k": "high"}}, 'default: k must be float, not "high"'),
    ({"format": FORMAT, "default": {"min_count": True}}, "min_count must be int, not true"),
    ({"format": FORMAT, "channels": {"7": {"max_gap_ms": "1m"}}},
     'channels.7: max_gap_ms must be int | None, not "1m"'),
    ({"format": FORMAT, "channels": [1]}, "channels: expected an object"),
    ({"format": FORMAT, "default": {"baseline_ms": 12_345}}, "whole number of buckets"),
    ({"format": FORMAT, "default": {"bucket_ms": 2_500, "baseline_ms": 300_000}},
     "bucket_ms must be whole seconds"),
    ({"format": FORMAT, "channels": {"7": {"bucket_ms": 2_000, "baseline_ms": 122_000}}},
     "channels.7: with the job's 5000 ms windows, baseline_ms must be a whole number"),
])
def test_a_malformed_file_names_the_file_and_the_problem(tmp_path, document, problem):
    path = tmp_path / "params.json"
    write(path, document)
    with pytest.raises(ParamsFileError) as error:
        applied_params(path, DetectorParams(), "settings")
    message = str(error.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_no_file_means_the_settings(tmp_path):
    applied = applied_params(tmp_path / "absent.json", P, "the settings")
    assert (applied.default, applied.channels) == (P, {})
    assert applied.source == f"the settings (no file {tmp_path / 'absent.json'})"


def test_a_channel_bucket_other_than_the_jobs_runs_on_the_jobs_windows(tmp_path):
    path = tmp_path / "params.json"
    write_params_file(path, DetectorParams(), {
        "wide": DetectorParams(bucket_ms=10_000, baseline_ms=600_000, k=2.0),
        "same": DetectorParams(k=9.0)})
    applied = applied_params(path, P, "settings")
    assert applied.source == str(path)
    # Only the bucket changes; every other field (whatever DetectorParams holds) is the file's.
    assert applied.channels["wide"] == DetectorParams(bucket_ms=5_000, baseline_ms=600_000, k=2.0)
    assert applied.channels["same"] == DetectorParams(k=9.0)
    assert applied.notes == ("channel wide: bucket_ms 10000 in the file; the job has one "
                             "window length and uses 5000",)
    assert applied.for_channel("other") == DetectorParams()


def test_the_reference_applies_per_channel_parameters():
    counts = [1, 3] * 5 + [8]  # mean 2, std 1: 8 fires at k = 3, not at k = 100
    rows = windows("12:00:00", counts, "a") + windows("12:00:00", counts, "b")
    assert [d.broadcaster_id for d in detection.detect(rows, P)] == ["a", "b"]
    found = detection.detect(rows, P, {"b": replace(P, k=100.0)})
    assert [d.broadcaster_id for d in found] == ["a"]


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path))
    # An external broker: `detector run` then creates no topics.
    monkeypatch.setenv("CHATLAKE_KAFKA_BOOTSTRAP_SERVERS", "kafka.invalid:9092")
    return tmp_path


@pytest.fixture
def launched(monkeypatch):
    """Command lines `detector run` would exec (nothing is installed or started)."""
    commands: list[list[str]] = []
    monkeypatch.setattr("chatlake.commands.detector.ensure_streaming_env",
                        lambda: "/streaming/python")
    monkeypatch.setattr(os, "execv", lambda _, command: commands.append(command))
    return commands


def test_detector_run_passes_the_params_file_to_the_job(state_dir, launched, caplog):
    path = state_dir / "detector" / "params.json"
    write_params_file(path, DetectorParams(k=2.0))
    with caplog.at_level(logging.INFO, logger="chatlake.commands.detector"):
        result = runner.invoke(app, ["detector", "run"])
    assert result.exit_code == 0, result.output
    assert f"parameters from {path}" in caplog.text  # logged, as every service's lines are
    command = launched[0]
    assert command[command.index("--params-file") + 1] == str(path)


def test_detector_run_refuses_a_malformed_file(state_dir, launched, monkeypatch):
    path = state_dir / "elsewhere.json"
    monkeypatch.setenv("CHATLAKE_DETECTOR_PARAMS_FILE", str(path))
    write(path, {"format": FORMAT, "default": {"k": -1.0}})
    result = runner.invoke(app, ["detector", "run"])
    assert result.exit_code == 1
    assert result.output == (f"detector: {path}: default: k, cooldown_ms and min_count must not "
                             "be negative\n")
    assert launched == []  # the job was not started


def test_up_refuses_a_malformed_file_before_starting_anything(state_dir, monkeypatch):
    write(state_dir / "detector" / "params.json", "{")

    def nothing_may_start(*_):
        raise AssertionError("up started a part despite the malformed params file")

    monkeypatch.setattr(stack, "embedded_postgres", nothing_may_start)
    result = runner.invoke(app, ["up"])
    assert result.exit_code == 1
    assert "params.json: cannot read detector parameters" in result.output
