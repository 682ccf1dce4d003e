"""`chatlake import --game --language [--title]` stores what the files' streams were about in
PostgreSQL's streams table (the file's own title when it has one), which community labels
read; a bad language code is refused with one line."""

import gzip
import json

import psycopg
import pytest

from tests.api.support import fresh_database
from tests.chatlake.test_import_command import chatlake
from warehouse.communities.stream_tags import stream_tags

pytestmark = pytest.mark.integration


def test_an_import_records_its_streams_game_language_and_title(tmp_path, postgres_server,
                                                             shared_data):
    lirik = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    with gzip.open(lirik, "rt", encoding="utf-8") as handle:
        root = json.load(handle)
    dsn = fresh_database(postgres_server, "chatlake_stream_import")  # a database of its own
    env = {"CHATLAKE_POSTGRES_DSN": dsn}
    run = chatlake(tmp_path, "import", str(lirik), "--game", "Just Chatting", "--language",
                   "EN", env=env)
    assert run.returncode == 0, run.stderr
    channel = str(root["streamer"]["id"])
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select game_name, language, title, started_at < last_seen_at from streams"
            " where broadcaster_id = %s", [channel]).fetchone()
    assert row == ("Just Chatting", "en", root["video"]["title"], True)
    tags = stream_tags(dsn).filter(broadcaster_id=channel)
    assert tags.select("game_name", "language", "share").rows() == [("Just Chatting", "en", 1.0)]
    # Again with a title: it replaces the file's, the game stays.
    again = chatlake(tmp_path, "import", str(lirik), "--title", "a better title", env=env)
    assert again.returncode == 0, again.stderr
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select game_name, title from streams where broadcaster_id = %s",
                            [channel]).fetchall() == [("Just Chatting", "a better title")]


def test_a_bad_language_code_is_one_line_and_exit_2(tmp_path):
    log = tmp_path / "chat.txt"
    log.write_text("1700000000 someone: hi\n")
    run = chatlake(tmp_path, "import", str(log), "--channel", "c", "--language", "english")
    assert run.returncode == 2
    assert "'english' is not a two-letter language code" in run.stderr
