"""Erasure: an opted-out user's (or channel's) rows deleted from every lake table.

Each table is one Delta delete (one commit), so a reader, or a process killed mid-way, sees
every table either before or after; a rerun deletes what is left (nothing, for the tables
already done), which is how an interrupted erasure finishes. The deleted rows' files stay on
disk for readers of older versions until `vacuum_erased` removes them once the reader
retention has passed. The marts are rebuilt by the caller for the days the deletes changed
(the build finds them in the Delta logs: warehouse/lake_changes.py).
"""

from collections.abc import Callable

import polars as pl

from warehouse.channel_emotes import TABLE as CHANNEL_EMOTES
from warehouse.lake_store import LakeStore, sql_string
from warehouse.optouts import OptOut

# In this order: the chat first (what the request is about), the rest after.
TABLES = ("chat_messages", "chat_windows", "stream_lifecycle", "dead_letters", CHANNEL_EMOTES)


def predicate(table: str, subject: OptOut) -> str | None:
    """Delta SQL matching the subject's rows of `table` (None: the table holds none of its
    kind). Values are quoted literals, never pasted raw."""
    sid, login = subject.subject_id, subject.subject_login
    terms: list[str] = []
    if table == "chat_messages":
        if subject.kind == "user":
            terms += [f"user_id = {sql_string(sid)}"] if sid else []
            terms += [f"lower(user_name) = {sql_string(login)}"] if login else []
        else:
            terms += [f"broadcaster_id = {sql_string(sid)}",
                      f"source_broadcaster_id = {sql_string(sid)}"] if sid else []
            terms += [f"lower(broadcaster_login) = {sql_string(login)}"] if login else []
    elif table == "dead_letters":
        # What could not be parsed is kept raw: any row naming the subject goes.
        terms += [f"strpos(raw, {sql_string(sid)}) > 0"] if sid else []
        terms += [f"strpos(lower(raw), {sql_string(login)}) > 0"] if login else []
    elif subject.kind == "channel" and table in ("chat_windows", CHANNEL_EMOTES):
        terms += [f"broadcaster_id = {sql_string(sid)}"] if sid else []
    elif subject.kind == "channel" and table == "stream_lifecycle":
        terms += [f"broadcaster_id = {sql_string(sid)}"] if sid else []
        terms += [f"lower(broadcaster_login) = {sql_string(login)}"] if login else []
    return " or ".join(terms) or None


def complete_subject(store: LakeStore, subject: OptOut) -> OptOut:
    """The subject with the id or login it lacks, found in chat_messages (a user known by
    login in one source and by id in another is erased in both)."""
    table = store.open("chat_messages")
    if table is None or (subject.subject_id and subject.subject_login):
        return subject
    id_col, login_col = ("user_id", "user_name") if subject.kind == "user" \
        else ("broadcaster_id", "broadcaster_login")
    frame = pl.scan_delta(store.table_uri("chat_messages"),
                          storage_options=dict(store.storage_options) or None)
    if subject.subject_id:
        found = frame.filter(pl.col(id_col) == subject.subject_id).select(
            pl.col(login_col).str.to_lowercase()).drop_nulls().unique().collect()
        logins = found.to_series().to_list()
        return OptOut(subject.kind, subject.subject_id, logins[0] if logins else None,
                      subject.reason)
    found = frame.filter(pl.col(login_col).str.to_lowercase() == subject.subject_login).select(
        id_col).drop_nulls().unique().collect()
    ids = found.to_series().to_list()
    return OptOut(subject.kind, ids[0] if ids else None, subject.subject_login, subject.reason)


def erase_lake(store: LakeStore, subject: OptOut,
               after_table: Callable[[str], None] = lambda name: None) -> dict[str, int]:
    """Delete the subject's rows from every table, one commit each; rows deleted per table.
    `after_table(name)` is called after each table's commit (tests kill the process there)."""
    deleted: dict[str, int] = {}
    for name in TABLES:
        where = predicate(name, subject)
        table = store.open(name) if where else None
        if table is None or where is None:
            continue
        metrics = table.delete(where)
        deleted[name] = int(metrics.get("num_deleted_rows", 0))
        after_table(name)
    return deleted


def vacuum_erased(store: LakeStore, retention_hours: float) -> dict[str, int]:
    """Remove files no version of the last `retention_hours` needs, in the erased tables:
    after this the deleted rows are gone from disk, not only from the newest version.
    `retention_hours` is the reader retention (0 in tests: nobody reads older versions)."""
    removed = {}
    for name in TABLES:
        table = store.open(name)
        if table is not None:
            removed[name] = len(table.vacuum(retention_hours=int(retention_hours),
                                             dry_run=False, enforce_retention_duration=False))
    return removed
