"""Several chat files committed together (warehouse/import_commit.py) stay exactly once when the
importing process is SIGKILLed after any one of its commits: the next run stores what is
missing and nothing twice, the `imports` log names each content once, and a third run writes
nothing. Real Delta tables, a real child process, a real SIGKILL."""

import signal
import subprocess
import sys
import textwrap

from ingest.chat_import import import_files_to_lake
from ingest.importers import ImportOptions
from warehouse.catalog import connect
from warehouse.lake_store import LakeStore

# Kills the import right after its Nth Delta commit (argv: lake, N, files...). Files of 12
# messages in groups of up to 25 messages: a commit per table for every 2 or 3 files.
KILLED_IMPORT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import ingest.chat_import as chat_import
    import warehouse.lake_store as lake_store
    from ingest.importers import ImportOptions

    lake, kill_after, files = sys.argv[1], int(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
    chat_import.GROUP_MESSAGES = 25
    commits = 0
    real_write = lake_store.write_deltalake

    def write_then_maybe_die(*args, **kwargs):
        global commits
        real_write(*args, **kwargs)
        commits += 1
        if commits == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    lake_store.write_deltalake = write_then_maybe_die
    if __name__ == "__main__":
        list(chat_import.import_files_to_lake(files, ImportOptions(),
                                              lake_store.LakeStore(lake), 1))
""")


def irc_log(path, prefix: str, messages: int, bad_lines: int = 0):
    lines = [f"@room-id=5;tmi-sent-ts={1704557984095 + n};user-id=7;id={prefix}{n};"
             f"display-name=A :a!a@a.tmi.twitch.tv PRIVMSG #chan :hello {n}"
             for n in range(messages)]
    path.write_text("\n".join(lines + ["not irc"] * bad_lines) + "\n")
    return path


def import_all(files, lake):
    return list(import_files_to_lake(files, ImportOptions(), LakeStore(str(lake)), 2))


def lake_state(lake):
    con = connect(str(lake))
    return {
        "messages": con.execute("select count(*), count(distinct message_id) "
                                "from chat_messages").fetchone(),
        "dead_letters": con.execute("select count(*) from dead_letters").fetchone()[0],
        "logged": con.execute("select count(*), count(distinct import_digest) "
                              "from imports").fetchone(),
        "versions": {name: LakeStore(str(lake)).open(name).version()
                     for name in ("chat_messages", "dead_letters", "imports")},
    }


def test_a_kill_after_any_commit_of_a_grouped_import_loses_and_doubles_nothing(tmp_path):
    script = tmp_path / "killed_import.py"
    script.write_text(KILLED_IMPORT)
    for kill_after in range(1, 30):
        folder = tmp_path / f"kill{kill_after}"
        folder.mkdir()
        lake = folder / "lake"
        # Before: a log with a bad line, and another file.
        grows = irc_log(folder / "grows.irc", "g", 6, bad_lines=1)
        import_all([grows, irc_log(folder / "kept.irc", "k", 12)], lake)
        # The log grows and loses its bad line (its rows and dead letter are replaced); new
        # files, two with bad lines.
        irc_log(grows, "g", 12)
        files = [grows, folder / "kept.irc"] + [
            irc_log(folder / f"new{n}.irc", f"n{n}_", 12, bad_lines=n % 3 == 0)
            for n in range(5)]

        killed = subprocess.run(
            [sys.executable, str(script), str(lake), str(kill_after), *map(str, files)],
            capture_output=True, text=True, timeout=120)
        import_all(files, lake)

        state = lake_state(lake)
        # grows 12 + kept 12 + 5 new files of 12; dead letters of new0 and new3 only; the
        # log: grows' first content, kept, grows' second, 5 new, each once.
        assert state["messages"] == (84, 84), (kill_after, state)
        assert state["dead_letters"] == 2, (kill_after, state)
        assert state["logged"] == (8, 8), (kill_after, state)
        outcomes = import_all(files, lake)
        assert all(o.already_imported for o in outcomes), kill_after
        assert lake_state(lake)["versions"] == state["versions"], kill_after
        if killed.returncode == 0:
            assert kill_after > 3, "the grouped import makes several commits"
            return
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    raise AssertionError("the import was killed after every one of 29 commits")
