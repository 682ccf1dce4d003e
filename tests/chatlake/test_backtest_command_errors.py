"""Bad input to `chatlake backtest`: one clear line and a non-zero exit, never a zero score."""

import gzip
import json

import pytest
from typer.testing import CliRunner

from chatlake.cli import app

runner = CliRunner()


@pytest.fixture
def chat_file(tmp_path):
    comments = [{"_id": str(i), "created_at": None, "content_offset_seconds": i * 2.0,
                 "commenter": {"display_name": f"u{i % 9}", "name": f"u{i % 9}"},
                 "message": {"body": "hello"}} for i in range(400)]
    root = {"streamer": None, "video": {"id": "v1", "created_at": None}, "comments": comments}
    path = tmp_path / "v1.chat.json.gz"
    path.write_bytes(gzip.compress(json.dumps(root).encode()))
    return path


def _run(*args):
    return runner.invoke(app, ["backtest", *map(str, args)])


@pytest.mark.parametrize(("labels", "message"), [
    ("video_id,start_s\nv1,10\n", "missing column(s) end_s"),
    ("video_id,start_s,end_s\nv1,50,40\n", "inverted interval"),
    ("video_id,start_s,end_s\nother,10,20\n", "have no labels"),
    ("video_id,start_s,end_s\nv1,10,20\nv9,10,20\n", "not in the chat input: v9"),
])
def test_bad_labels_exit_non_zero(tmp_path, chat_file, labels, message):
    path = tmp_path / "labels.csv"
    path.write_text(labels)
    result = _run(chat_file, "--labels", path)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_good_input_scores(tmp_path, chat_file):
    path = tmp_path / "labels.csv"
    path.write_text("video_id,start_s,end_s\nv1,100,120\n")
    result = runner.invoke(app, ["backtest", str(chat_file), "--labels", str(path), "--json",
                                 "--baseline", "60"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["intervals"] == 1 and summary["precision"] is None  # flat chat: no detections


def test_missing_labels_option(chat_file):
    result = _run(chat_file)
    assert result.exit_code == 2 and "exactly one of --labels and --clips" in result.output


def _params_file(tmp_path, model: dict) -> str:
    path = tmp_path / "params.json"
    path.write_text(json.dumps({"format": "chatlake-detector-params/1",
                                "default": {"bucket_ms": 2000, "model": model}}))
    return str(path)


MODEL = {"features": ["messages_z3"], "center": [0.0], "scale": [1.0], "coef": [1.0],
         "intercept": 0.0, "threshold": 2.0}


def _one_line_exit_2(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert len(result.output.strip().splitlines()) <= 2  # one message (wrapped at most once)


@pytest.mark.parametrize(("args", "message"), [
    (["--k", "3", "--preset", "learned"], "not more than one of them"),
    (["--preset", "vibes"], "unknown detector preset 'vibes' (known: seed, learned)"),
    (["--params-file", "/nonexistent/params.json"], "no such file"),
])
def test_bad_parameter_sources_exit_2_with_one_line(tmp_path, chat_file, args, message):
    labels = tmp_path / "labels.csv"
    labels.write_text("video_id,start_s,end_s\nv1,100,120\n")
    _one_line_exit_2(_run(chat_file, "--labels", labels, *args), message)


@pytest.mark.parametrize(("change", "message"), [
    ({"features": ["vibes"]}, "unknown feature(s) vibes"),
    ({"coef": [1.0, 2.0]}, "2 coef value(s) for 1 feature(s)"),
    ({"threshold": float("nan")}, "finite number"),
])
def test_bad_models_in_a_params_file_exit_2_with_one_line(tmp_path, chat_file, change, message):
    labels = tmp_path / "labels.csv"
    labels.write_text("video_id,start_s,end_s\nv1,100,120\n")
    path = _params_file(tmp_path, {**MODEL, **change})
    _one_line_exit_2(_run(chat_file, "--labels", labels, "--params-file", path), message)


def test_params_file_and_preset_score_the_same_set(tmp_path, chat_file):
    from chatlake_contracts.presets import LEARNED

    from detector.params_file import write_params_file

    labels = tmp_path / "labels.csv"
    labels.write_text("video_id,start_s,end_s\nv1,100,120\n")
    path = write_params_file(tmp_path / "learned.json", LEARNED)
    by_file = runner.invoke(app, ["backtest", str(chat_file), "--labels", str(labels),
                                  "--params-file", str(path), "--json"])
    by_preset = runner.invoke(app, ["backtest", str(chat_file), "--labels", str(labels),
                                    "--preset", "learned", "--json"])
    assert by_file.exit_code == by_preset.exit_code == 0, by_file.output + by_preset.output
    a, b = json.loads(by_file.stdout), json.loads(by_preset.stdout)
    assert a["params_from"] == str(path) and b["params_from"] == "preset learned"
    assert a["params"] == b["params"] and a["params"]["model"] == LEARNED.model.version


def test_a_bad_preset_setting_is_one_line_naming_it(tmp_path, chat_file):
    import os
    import subprocess
    import sys

    labels = tmp_path / "labels.csv"
    labels.write_text("video_id,start_s,end_s\nv1,100,120\n")
    env = {**os.environ, "CHATLAKE_DETECTOR_PRESET": "best",
           "CHATLAKE_STATE_DIR": str(tmp_path / "state")}
    run = subprocess.run([sys.executable, "-m", "chatlake.cli", "backtest", str(chat_file),
                          "--labels", str(labels)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines() == [
        "error: bad settings (DetectorSettings): preset: Value error, unknown detector preset "
        "'best' (known: seed, learned)"]
