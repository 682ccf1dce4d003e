"""`chatlake export` over a real Delta lake and a real marts DuckDB file: every format, the
filters as parameters, and clear errors with a non-zero exit."""

import csv
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chatlake.cli import app
from tests.chatlake.support import (
    CHANNEL_ID,
    CHANNEL_LOGIN,
    HOSTILE,
    VOD_COMMENTS,
    build_lake,
    build_marts,
)

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    build_lake(root)
    build_marts(root / "state" / "warehouse.duckdb")
    return root


@pytest.fixture(autouse=True)
def env(state, monkeypatch):
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(state / "state"))
    monkeypatch.setenv("CHATLAKE_LAKE_URI", str(state / "lake"))


def export(*args):
    return runner.invoke(app, ["export", *map(str, args)])


def test_lake_table_to_csv_keeps_hostile_text_intact():
    result = export("chat_messages", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == VOD_COMMENTS
    assert sum(row["text"] == HOSTILE.replace("\r\n", "\n") or row["text"] == HOSTILE
               for row in rows) == VOD_COMMENTS // 50
    # Nested columns go out as JSON text.
    assert json.loads(rows[0]["emotes"]) in ([], None)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_formats_filtered_by_time(fmt):
    result = export("chat_messages", "--format", fmt, "--since", "2024-03-01T12:05:00Z",
                    "--until", "2024-03-01T12:10:00")
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.stdout)
    else:
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 150  # 5 minutes, one message every 2 s
    assert min(r["timestamp"] for r in rows) == "2024-03-01T12:05:00+00:00"
    assert max(r["timestamp"] for r in rows) == "2024-03-01T12:09:58+00:00"


def test_mart_to_parquet_file_by_channel_login_and_id(state):
    out = state / "out" / "rollups.parquet"
    for channel in (CHANNEL_LOGIN, CHANNEL_ID):
        result = export("channel_hourly_rollups", "-f", "parquet", "--channel", channel,
                        "-o", out)
        assert result.exit_code == 0, result.output
        table = pq.read_table(out)
        assert table.column("messages").to_pylist() == [300, 10]
        assert set(table.column("broadcaster_id").to_pylist()) == {CHANNEL_ID}


def test_channel_by_login_on_a_table_without_logins():
    result = export("select broadcaster_id, count(*) as n from chat_messages group by 1",
                    "-f", "jsonl", "--channel", CHANNEL_LOGIN)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"broadcaster_id": CHANNEL_ID, "n": VOD_COMMENTS}


def test_channel_value_is_a_parameter_not_sql():
    result = export("chat_messages", "-f", "jsonl", "--channel", "x' or '1'='1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_sql_query_can_name_a_mart_bare():
    result = export("select sum(messages) as total from channel_hourly_rollups", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['"total"', "315"]


@pytest.mark.parametrize(("args", "message"), [
    (["no_such_mart"], "no mart or lake table named 'no_such_mart'"),
    (["chat_messages", "--since", "yesterday"], "is not an ISO 8601 time"),
    (["select * from nowhere"], "the query fails"),
    (["no_channel", "--channel", "tester"], "has no broadcaster_id column"),
    (["no_channel", "--since", "2024-01-01"], "has no timestamp or date column"),
    (["chat_messages", "--since", "2024-03-02", "--until", "2024-03-01"], "must be after"),
])
def test_bad_input_exits_non_zero_with_a_reason(args, message):
    result = export(*args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())


def test_unwritable_output_exits_non_zero(state, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = export("chat_messages", "-o", blocker / "out.csv")
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_progress_bar_does_not_change_the_file(state):
    out = state / "out" / "with-progress.jsonl"
    result = export("chat_messages", "-f", "jsonl", "--progress", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"{VOD_COMMENTS} rows -> {out}" in " ".join(result.output.split())
    assert len(out.read_text().splitlines()) == VOD_COMMENTS


def test_a_marts_file_held_by_a_writer_is_a_clear_error(state, tmp_path, monkeypatch):
    marts = tmp_path / "state" / "warehouse.duckdb"
    build_marts(marts)
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path / "state"))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
         " print('held', flush=True); sys.stdin.read()", str(marts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = export("channel_hourly_rollups")
        assert result.exit_code == 1
        assert "the marts file" in result.output and "cannot be opened" in result.output
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("progress", ["--progress", "--no-progress"])
def test_a_query_failing_while_it_runs_exits_non_zero(progress):
    result = export("select cast(text as integer) as n from chat_messages", "-f", "csv",
                    progress)
    assert result.exit_code == 1
    assert "the export fails" in result.output
