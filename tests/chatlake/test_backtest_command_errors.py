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
