"""Opt-out and erasure against real parts: PostgreSQL (the registry), Delta tables, dbt marts in
DuckDB, and the `chatlake optout` command in a subprocess."""

import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from tests.warehouse.privacy_support import (
    ERASED_ID,
    ERASED_LOGIN,
    chatlake,
    fill_lake,
    mentions,
    parquet_on_disk_mentions,
    registry_dsn,
    string_values,
)
from warehouse import optouts
from warehouse.erasure import TABLES, erase_lake
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile
from warehouse.optouts import OptOut

pytestmark = [pytest.mark.integration]
NEEDLES = (ERASED_ID, ERASED_LOGIN)


def lake_strings(store: LakeStore) -> dict[str, set[str]]:
    found = {}
    for name in TABLES:
        table = store.open(name)
        if table is not None:
            found[name] = string_values(table.to_pyarrow_table())
    return found


def counts_by_user(store: LakeStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in store.open("chat_messages").to_pyarrow_table(columns=["user_id"]).to_pylist():
        counts[row["user_id"]] = counts.get(row["user_id"], 0) + 1
    return counts


def marts_strings_and_counts(path) -> tuple[set[str], int, int]:
    """Every string of every table in the marts file; live messages; rollup messages."""
    values: set[str] = set()
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables"
                             " where table_type = 'BASE TABLE'").fetchall()
        for schema, name in tables:
            values |= string_values(con.execute(f'select * from "{schema}"."{name}"').arrow()
                                    .read_all())
        (messages,) = con.execute(
            "select count(*) from intermediate.int_chat_messages_deduplicated").fetchone()
        (rolled,) = con.execute(
            "select sum(messages) from marts.channel_daily_rollups").fetchone()
    return values, messages, int(rolled)


def test_optout_with_erasure_leaves_no_trace_in_lake_marts_or_files(tmp_path, postgres_server):
    dsn = registry_dsn(postgres_server, "privacy_erase")
    store = LakeStore(str(tmp_path / "lake"))
    fill_lake(store)
    state = tmp_path / "state"
    state.mkdir()
    marts = MartsFile(state / "warehouse.duckdb")
    build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)
    before = counts_by_user(store)
    mart_values, live_before, rolled_before = marts_strings_and_counts(marts.path)
    assert mentions(mart_values, NEEDLES), "the marts held the user before"
    assert before[ERASED_ID] > 0 and len(before) > 5

    env = {"CHATLAKE_STATE_DIR": str(state), "CHATLAKE_LAKE_URI": str(store.uri),
           "CHATLAKE_POSTGRES_DSN": dsn, "CHATLAKE_PRIVACY_READER_RETENTION_HOURS": "0"}
    done = chatlake("optout", "add", "--user", ERASED_LOGIN, "--reason", "asked",
                    "--erase", env=env)
    assert done.returncode == 0, done.stderr

    for name, values in lake_strings(store).items():
        assert not mentions(values, NEEDLES), f"{name} still names the user"
    assert not parquet_on_disk_mentions(tmp_path / "lake", NEEDLES)
    after = counts_by_user(store)
    assert ERASED_ID not in after
    assert after == {u: n for u, n in before.items() if u != ERASED_ID}
    mart_values, live_after, rolled_after = marts_strings_and_counts(marts.path)
    assert not mentions(mart_values, NEEDLES)
    assert live_after == live_before - before[ERASED_ID]
    assert rolled_after == rolled_before - before[ERASED_ID]
    # The audit holds the id and counts, never the login.
    audit = optouts.audit_rows(dsn)
    assert [a.action for a in audit] == ["optout_add", "erase"]
    assert audit[1].subject == ERASED_ID
    assert audit[1].rows_by_table["chat_messages"] == before[ERASED_ID]
    assert audit[1].rows_by_table["dead_letters"] == 1
    assert not any(ERASED_LOGIN in str(a) for a in audit)
    listed = chatlake("optout", "list", env=env)
    assert f"user\t{ERASED_ID}\t{ERASED_LOGIN}\tasked" in listed.stdout


KILLER = textwrap.dedent("""
    import os, signal, sys
    from warehouse.erasure import erase_lake
    from warehouse.lake_store import LakeStore
    from warehouse.optouts import OptOut

    def after(name):
        if name == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    erase_lake(LakeStore(sys.argv[1]), OptOut("user", sys.argv[3], sys.argv[4]), after)
""")


@pytest.mark.parametrize("kill_after", ["chat_messages"])
def test_an_erasure_killed_after_a_commit_leaves_each_table_before_or_after(tmp_path,
                                                                            kill_after):
    store = LakeStore(str(tmp_path / "lake"))
    fill_lake(store)
    before = counts_by_user(store)
    letters_before = store.open("dead_letters").to_pyarrow_table().num_rows
    killed = subprocess.run([sys.executable, "-c", KILLER, store.uri, kill_after, ERASED_ID,
                             ERASED_LOGIN], env=os.environ.copy(), check=False, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    # chat_messages is after, every other user's rows whole; dead_letters still before.
    assert counts_by_user(store) == {u: n for u, n in before.items() if u != ERASED_ID}
    assert store.open("dead_letters").to_pyarrow_table().num_rows == letters_before
    # The rerun finishes: nothing left to delete in chat_messages, the rest deleted once.
    deleted = erase_lake(store, OptOut("user", ERASED_ID, ERASED_LOGIN))
    assert deleted == {"chat_messages": 0, "dead_letters": 1}
    assert counts_by_user(store) == {u: n for u, n in before.items() if u != ERASED_ID}
    assert store.open("dead_letters").to_pyarrow_table().num_rows == letters_before - 1
    for name, values in lake_strings(store).items():
        assert not mentions(values, NEEDLES), f"{name} still names the user"


def test_sigkill_at_random_moments_never_splits_a_table(tmp_path):
    """Killed at any moment (a timer, not a hook): each table is whole before or after."""
    store = LakeStore(str(tmp_path / "lake"))
    fill_lake(store, files=6)
    before = counts_by_user(store)
    script = ("import sys\nfrom warehouse.erasure import erase_lake\n"
              "from warehouse.lake_store import LakeStore\nfrom warehouse.optouts import OptOut\n"
              "erase_lake(LakeStore(sys.argv[1]), OptOut('user', sys.argv[2], sys.argv[3]))\n")
    for delay in (0.3, 0.6, 0.9, 1.2):
        child = subprocess.Popen([sys.executable, "-c", script, store.uri, ERASED_ID,
                                  ERASED_LOGIN])
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait()
        now = counts_by_user(store)
        others = {u: n for u, n in now.items() if u != ERASED_ID}
        assert others == {u: n for u, n in before.items() if u != ERASED_ID}
        assert now.get(ERASED_ID, 0) in (0, before[ERASED_ID])
    erase_lake(store, OptOut("user", ERASED_ID, ERASED_LOGIN))
    assert ERASED_ID not in counts_by_user(store)


@pytest.mark.parametrize("args", [["add"], ["add", "--user", "a", "--channel", "b"],
                                  ["add", "--user", "no spaces; drop"], ["erase"]])
def test_bad_optout_input_is_a_clear_error_and_exit_2(tmp_path, args):
    done = chatlake("optout", *args, env={"CHATLAKE_STATE_DIR": str(tmp_path / "state")})
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if x.strip()]
    assert line.startswith("error: ")


def test_erasing_a_subject_not_in_the_registry_is_refused(tmp_path, postgres_server):
    dsn = registry_dsn(postgres_server, "privacy_refuse")
    done = chatlake("optout", "erase", "--user", "nobody_here",
                    env={"CHATLAKE_STATE_DIR": str(tmp_path / "state"),
                         "CHATLAKE_POSTGRES_DSN": dsn})
    assert done.returncode == 1
    assert "has not opted out" in done.stderr
