"""`chatlake lake migrate` on a lake of plain Parquet folders as chatlake wrote them before
Delta: equal counts, idempotent, and a half-migrated lake refused with the way to finish."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from tests.warehouse.support import lake_count, synthetic_message
from warehouse.lake import table_from_records, to_lake_table
from warehouse.lake_schema import CHAT_MESSAGES, CHAT_WINDOWS, PARTITION_COLUMN, Dataset

IRC_LINE = ("@room-id=5;tmi-sent-ts={ts};user-id=7;id=irc{n};display-name=A "
            ":a!a@a.tmi.twitch.tv PRIVMSG #chan :hello {n}")


def chatlake(lake: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHATLAKE_LAKE_URI": str(lake),
           "CHATLAKE_STATE_DIR": str(lake.parent / "state")}
    return subprocess.run([sys.executable, "-m", "chatlake.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def write_plain(lake: Path, dataset: Dataset, records: list[dict], stem: str) -> None:
    """One file per day, as the pre-Delta writer named and shaped them (no date column
    inside, no lake columns; the day is the folder)."""
    table = to_lake_table(table_from_records(records, dataset), dataset)
    table = table.drop_columns([f.name for f in dataset.lake_columns])
    for day in set(table.column(PARTITION_COLUMN).to_pylist()):
        folder = lake / dataset.name / f"{PARTITION_COLUMN}={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        part = table.filter([d == day for d in table.column(PARTITION_COLUMN).to_pylist()])
        pq.write_table(part.drop_columns([PARTITION_COLUMN]), folder / f"{stem}.parquet")


def old_lake(tmp_path: Path) -> tuple[Path, Path]:
    """A pre-Delta lake: archived chat in several files, one imported IRC log, windows."""
    lake = tmp_path / "lake"
    for batch in range(3):
        records = [synthetic_message(batch * 100 + i) for i in range(100)]
        write_plain(lake, CHAT_MESSAGES, records,
                    f"chat-messages+0+abc+{batch * 100:019d}+{batch * 100 + 99:019d}")
    log = tmp_path / "chan.irc"
    log.write_text("\n".join(IRC_LINE.format(ts=1704557984095 + n, n=n) for n in range(7)))
    # What the old importer wrote for it: its 16-digit content hash in the file name.
    old_digest = hashlib.sha256(log.read_bytes()).hexdigest()[:16]
    write_plain(lake, CHAT_MESSAGES, [
        {**synthetic_message(1000 + n), "message_id": f"irc{n}", "broadcaster_id": "5"}
        for n in range(7)], f"import+{old_digest}+000000")
    windows = [{"v": 1, "broadcaster_id": "7", "window_start": 1_700_000_000_000 + i * 5000,
                "window_end": 1_700_000_005_000 + i * 5000, "message_count": i,
                "chatter_count": 1} for i in range(5)]
    write_plain(lake, CHAT_WINDOWS, windows, "chat-windows+0+abc+0+4")
    (lake / "_archiver" / "chatlake-archiver").mkdir(parents=True)
    return lake, log


def test_migrate_makes_tables_with_equal_counts_once(tmp_path):
    lake, log = old_lake(tmp_path)
    result = chatlake(lake, "lake", "migrate")
    assert result.returncode == 0, result.stderr
    assert "chat_messages: 4 files, 307 rows -> table" in result.stdout
    assert "chat_windows: 1 files, 5 rows -> table" in result.stdout
    assert lake_count(lake, "select count(*), count(distinct message_id), "
                      "count(import_digest) from chat_messages") == (307, 307, 7)
    assert lake_count(lake, "select count(*) from chat_windows") == (5,)
    again = chatlake(lake, "lake", "migrate")
    assert again.returncode == 0 and "chat_messages: already a table" in again.stdout
    # The imported file is known by its content hash: importing it again writes nothing.
    reimport = chatlake(lake, "import", str(log), "--channel", "chan")
    assert reimport.returncode == 0, reimport.stderr
    assert "already in the lake" in reimport.stderr
    assert lake_count(lake, "select count(*) from chat_messages") == (307,)


def test_a_half_migrated_lake_is_refused_with_how_to_finish(tmp_path):
    lake, _ = old_lake(tmp_path)
    # A run that died after writing the new table but before swapping the folders.
    partial = lake / "chat_messages.migrating"
    partial.mkdir()
    result = chatlake(lake, "lake", "migrate")
    assert result.returncode == 1
    assert "stopped before finishing" in result.stderr and "rm -r" in result.stderr
    assert len(list((lake / "chat_messages").glob("*/*.parquet"))) == 4  # untouched
    partial.rmdir()
    assert chatlake(lake, "lake", "migrate").returncode == 0
    # A run that died between moving the old folder away and putting the table in place.
    (lake / "chat_messages").rename(lake / "chat_messages.migrating")
    between = chatlake(lake, "lake", "migrate")
    assert between.returncode == 1 and "Finish with mv" in between.stderr
