"""`chatlake api emote-set` as a user runs it: the set lands in PostgreSQL and its copy in the
lake, where `chatlake sql` (and the marts) read it."""

import os
import subprocess
import sys

import psycopg

NYMN_ID = "62300805"


def test_storing_a_7tv_set_writes_postgres_and_the_lake(tmp_path, shared_data, postgres_server):
    seventv = shared_data / "irc" / "7tv_nymn.json"
    env = {**os.environ, "CHATLAKE_STATE_DIR": str(tmp_path / "state"),
           "CHATLAKE_LAKE_URI": str(tmp_path / "lake"), "CHATLAKE_POSTGRES_DSN": postgres_server}
    with psycopg.connect(postgres_server) as conn:
        conn.execute("delete from channel_emotes where broadcaster_id = %s", [NYMN_ID])

    def chatlake(*args):
        return subprocess.run([sys.executable, "-m", "chatlake.cli", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    stored = chatlake("api", "emote-set", str(seventv), "--as-of", "2024-01-06T16:19:00Z")
    assert stored.returncode == 0, stored.stderr
    assert f"7tv set of {NYMN_ID}: 837 emotes, 836 added, 0 closed" in stored.stderr
    with psycopg.connect(postgres_server) as conn:
        in_postgres = conn.execute("select count(*) from channel_emotes").fetchone()[0]
    for sql, expected in ((f"select count(*) from channel_emotes where broadcaster_id = "
                           f"'{NYMN_ID}' and valid_to is null", 836),
                          ("select count(*) from channel_emotes", in_postgres)):
        counted = chatlake("sql", sql)
        assert counted.returncode == 0, counted.stderr
        assert counted.stdout.strip() == str(expected)
