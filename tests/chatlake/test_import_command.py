"""`chatlake import` and `chatlake sql` as a user runs them: real files, a real lake folder,
real DuckDB, the exit status and what is printed."""

import asyncio
import csv
import gzip
import os
import subprocess
import sys

import pytest

from ingest.chat_import import import_to_kafka
from ingest.importers import ImportOptions
from tests.support import private_broker
from tests.warehouse.support import archive_until
from warehouse.catalog import connect


def chatlake(tmp_path, *args, env=None):
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
           "CHATLAKE_LAKE_URI": str(tmp_path / "lake"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "chatlake.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def lake_row(tmp_path, sql):
    return connect(str(tmp_path / "lake")).execute(sql).fetchone()


def test_importing_the_same_file_twice_keeps_one_copy(tmp_path, shared_data):
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    first = chatlake(tmp_path, "import", str(lirik))
    assert first.returncode == 0, first.stderr
    assert "72448 messages -> lake" in first.stderr
    again = chatlake(tmp_path, "import", str(lirik))
    assert again.returncode == 0, again.stderr
    assert "already in the lake (same content), nothing written" in again.stderr
    assert lake_row(tmp_path, "select count(*), count(distinct message_id), "
                    "count(*) filter (where is_vod_comment) from chat_messages") \
        == (72448, 72448, 134)
    printed = chatlake(tmp_path, "sql", "select count(*) from chat_messages")
    assert printed.returncode == 0 and printed.stdout.strip() == "72448"


def test_reimporting_a_changed_file_replaces_its_rows_and_keeps_the_others(tmp_path):
    def irc(n: int, prefix: str) -> str:
        return (f"@room-id=5;tmi-sent-ts={1704557984095 + n};user-id=7;id={prefix}{n};"
                f"display-name=A :a!a@a.tmi.twitch.tv PRIVMSG #chan :hello {n}")

    log, other = tmp_path / "chan.irc", tmp_path / "other.irc"
    log.write_text("\n".join(irc(n, "a") for n in range(5)) + "\nnot irc\n")
    other.write_text("\n".join(irc(n, "o") for n in range(3)) + "\n")
    for path in (log, other):
        imported = chatlake(tmp_path, "import", str(path))
        assert imported.returncode == 0, imported.stderr
    # The log grows (a recording that went on) and loses its bad line.
    log.write_text("\n".join(irc(n, "a") for n in range(8)) + "\n")
    result = chatlake(tmp_path, "import", str(log))
    assert result.returncode == 0 and "8 messages -> lake" in result.stderr
    assert lake_row(tmp_path, "select count(*), count(distinct message_id), "
                    "count(*) filter (where message_id like 'o%') from chat_messages") \
        == (11, 11, 3)
    assert lake_row(tmp_path, "select count(*) from dead_letters") == (0,)
    # The first version is still there to see, one table version back.
    history = chatlake(tmp_path, "sql", "--as-of", "1", "select count(*) from chat_messages")
    assert history.returncode == 0 and history.stdout.strip() == "8"


def test_sql_as_of_a_version_that_does_not_exist_is_an_error(tmp_path):
    log = tmp_path / "chan.irc"
    log.write_text("@room-id=5;tmi-sent-ts=1704557984095;user-id=7;id=x;display-name=A "
                   ":a!a@a.tmi.twitch.tv PRIVMSG #chan :hello\n")
    assert chatlake(tmp_path, "import", str(log)).returncode == 0
    result = chatlake(tmp_path, "sql", "--as-of", "9", "select count(*) from chat_messages")
    assert result.returncode == 1 and "no such version (9)" in result.stderr
    bad = chatlake(tmp_path, "sql", "--as-of", "yesterday", "select 1")
    assert bad.returncode != 0 and "neither a table version" in bad.stderr


def test_bad_lines_are_reported_with_line_numbers_and_kept_as_dead_letters(tmp_path):
    good = ("@room-id=5;tmi-sent-ts=1704557984095;user-id=7;id=m{n};display-name=A "
            ":a!a@a.tmi.twitch.tv PRIVMSG #chan :hello {n}")
    lines = [good.format(n=1), "this is not irc at all", good.format(n=2), good.format(n=3)]
    log = tmp_path / "chan.irc"
    log.write_text("\n".join(lines) + "\n")
    result = chatlake(tmp_path, "import", str(log))
    assert result.returncode == 0, result.stderr
    assert "3 messages -> lake" in result.stderr
    assert "1 bad lines (chan.irc:2)" in result.stderr
    assert lake_row(tmp_path, "select count(*) from chat_messages") == (3,)
    assert lake_row(tmp_path, "select location, raw from dead_letters") \
        == ("chan.irc:2", "this is not irc at all")


@pytest.mark.parametrize("content", [b"\x00\x01garbage\xff" * 50, b"", b"{\"not\": \"chat\"}"])
def test_a_file_that_is_not_chat_is_a_one_line_error_and_a_failing_exit(tmp_path, content):
    bad = tmp_path / "broken.json"
    bad.write_bytes(content)
    result = chatlake(tmp_path, "import", str(bad))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: broken.json: ")
    assert lake_row(tmp_path, "select count(*) from chat_messages") == (0,)


def test_a_truncated_file_fails_without_writing_anything(tmp_path, shared_data):
    source = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    truncated = tmp_path / "cut.chat.json.gz"
    truncated.write_bytes(source.read_bytes()[: 200_000])
    result = chatlake(tmp_path, "import", str(truncated))
    assert result.returncode == 1
    assert "cut.chat.json.gz" in result.stderr and "truncated" in result.stderr
    assert lake_row(tmp_path, "select count(*) from chat_messages") == (0,)


def test_offsets_only_file_needs_start_and_channel_then_imports_every_message(tmp_path,
                                                                             shared_data):
    dota = shared_data / "highlights" / "dota2"
    with (dota / "videos.csv").open() as index:
        video = next(row for row in csv.DictReader(index) if row["created_at_known"] == "no")
    path = dota / f"{video['video_id']}.chat.json.gz"

    no_start = chatlake(tmp_path, "import", str(path), "--channel", "dota")
    assert no_start.returncode == 1 and "--start" in no_start.stderr

    result = chatlake(tmp_path, "import", str(path), "--channel", "dota",
                      "--start", "2019-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    assert lake_row(tmp_path, "select count(*), min(vod_offset_s) >= 0, "
                    "min(timestamp) >= '2019-01-01' from chat_messages") \
        == (int(video["messages"]), True, True)


@pytest.mark.integration
def test_import_to_kafka_then_archiver_lands_every_message(tmp_path, shared_data):
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    with private_broker() as servers:
        report = asyncio.run(import_to_kafka(lirik, ImportOptions(), servers))
        archive_until(servers, tmp_path / "lake", report.messages)
    assert report.messages == 72448
    assert lake_row(tmp_path, "select count(*), count(distinct message_id), "
                    "count(distinct broadcaster_id) from chat_messages") == (72448, 72448, 1)


@pytest.mark.integration
def test_publishing_the_same_file_to_kafka_twice_lands_it_once(tmp_path, shared_data):
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    with private_broker() as servers:
        env = {"CHATLAKE_KAFKA_BOOTSTRAP_SERVERS": servers}
        first = chatlake(tmp_path, "import", str(lirik), "--to", "kafka", env=env)
        assert first.returncode == 0 and "72448 messages -> kafka" in first.stderr
        again = chatlake(tmp_path, "import", str(lirik), "--to", "kafka", env=env)
        assert again.returncode == 0 and "already published" in again.stderr
        archive_until(servers, tmp_path / "lake", 72448)
    printed = chatlake(tmp_path, "sql", "select count(*) from chat_messages")
    assert printed.stdout.strip() == "72448"


def test_gzip_of_garbage_names_the_file(tmp_path):
    bad = tmp_path / "noise.irc.gz"
    bad.write_bytes(gzip.compress(os.urandom(4000)))
    result = chatlake(tmp_path, "import", str(bad))
    assert result.returncode == 1 and "noise.irc.gz" in result.stderr


def test_several_files_import_in_parallel_and_a_bad_one_fails_alone(tmp_path):
    line = ("@room-id=5;tmi-sent-ts=1704557984095;user-id=7;id={id};display-name=A "
            ":a!a@a.tmi.twitch.tv PRIVMSG #chan :hello")
    good = []
    for n in range(3):
        path = tmp_path / f"chan{n}.irc"
        path.write_text("\n".join(line.format(id=f"f{n}m{i}") for i in range(10 + n)) + "\n")
        good.append(str(path))
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x00garbage")
    result = chatlake(tmp_path, "import", *good, str(bad), "--jobs", "2")
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] \
        == [line for line in result.stderr.splitlines() if "bad.json" in line]
    assert all(f"chan{n}.irc: {10 + n} messages -> lake" in result.stderr for n in range(3))
    assert lake_row(tmp_path, "select count(*), count(distinct message_id) from chat_messages") \
        == (33, 33)


def test_a_start_that_is_not_iso_8601_is_refused_naming_the_option(tmp_path):
    log = tmp_path / "chan.irc"
    log.write_text(":a!a@a.tmi.twitch.tv PRIVMSG #chan :hello\n")
    result = chatlake(tmp_path, "import", str(log), "--start", "yesterday")
    assert result.returncode == 2
    assert "--start 'yesterday' is not an ISO 8601 time" in result.stderr
