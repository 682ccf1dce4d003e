"""The opt-out registry (PostgreSQL) and the set every writer and reader filters by.

A subject is a user or a channel, known by its Twitch id, its login, or both; a message is
dropped when its user (id or login) or its channel (id or login) is in the set. Logins are
compared lower-cased. `CachedOptOuts` re-reads the registry at most every `refresh_s`
seconds, so the archiver and the ingest never query PostgreSQL per message.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg.types.json import Jsonb

log = logging.getLogger(__name__)

Kind = Literal["user", "channel"]
KINDS: tuple[Kind, ...] = ("user", "channel")


@dataclass(frozen=True)
class OptOut:
    kind: Kind
    subject_id: str | None
    subject_login: str | None
    reason: str | None = None

    @property
    def audit_subject(self) -> str:
        """Who, for the audit table: the id, else a hash of the login (never the login)."""
        if self.subject_id:
            return self.subject_id
        digest = hashlib.sha256((self.subject_login or "").encode()).hexdigest()[:16]
        return f"login-sha256:{digest}"


@dataclass(frozen=True)
class OptOutSet:
    user_ids: frozenset[str] = frozenset()
    user_logins: frozenset[str] = frozenset()
    channel_ids: frozenset[str] = frozenset()
    channel_logins: frozenset[str] = frozenset()

    @classmethod
    def of(cls, optouts: list[OptOut]) -> "OptOutSet":
        def pick(kind: str, attr: str) -> frozenset[str]:
            return frozenset(v for o in optouts if o.kind == kind
                             and (v := getattr(o, attr)) is not None)
        return cls(pick("user", "subject_id"), pick("user", "subject_login"),
                   pick("channel", "subject_id"), pick("channel", "subject_login"))

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.user_logins or self.channel_ids or self.channel_logins)

    def drops_channel(self, broadcaster_id: str | None, login: str | None = None) -> bool:
        return broadcaster_id in self.channel_ids or \
            (login is not None and login.lower() in self.channel_logins)

    def drops_message(self, record: dict) -> bool:
        """A chat record (the v1 contract's fields) of an opted-out user or channel."""
        user_name = record.get("user_name")
        return (record.get("user_id") in self.user_ids
                or (user_name is not None and user_name.lower() in self.user_logins)
                or self.drops_channel(record.get("broadcaster_id"),
                                      record.get("broadcaster_login"))
                or record.get("source_broadcaster_id") in self.channel_ids)

    def keep_mask(self, table: pa.Table) -> pa.ChunkedArray | None:
        """True for the rows of a lake table (chat_messages, chat_windows, stream_lifecycle)
        or a mart (chatter_id/chatter_login) that no opt-out covers; None when nothing is
        dropped."""
        if not self:
            return None
        drop = None
        for column, values, lower in (
                ("user_id", self.user_ids, False), ("user_name", self.user_logins, True),
                ("chatter_id", self.user_ids, False),
                ("chatter_login", self.user_logins, True),
                ("broadcaster_id", self.channel_ids, False),
                ("source_broadcaster_id", self.channel_ids, False),
                ("broadcaster_login", self.channel_logins, True)):
            if not values or column not in table.column_names:
                continue
            col = table.column(column)
            hit = pc.fill_null(pc.is_in(pc.utf8_lower(col) if lower else col,
                                        value_set=pa.array(sorted(values), pa.string())), False)
            drop = hit if drop is None else pc.or_(drop, hit)
        return None if drop is None else pc.invert(drop)

    def filter(self, table: pa.Table) -> tuple[pa.Table, int]:
        """The rows no opt-out covers, and how many were dropped."""
        mask = self.keep_mask(table)
        if mask is None:
            return table, 0
        kept = table.filter(mask)
        return kept, table.num_rows - kept.num_rows


NO_OPTOUTS = OptOutSet()


class CachedOptOuts:
    """The registry's set, re-read at most every `refresh_s` seconds. A failed re-read keeps
    the set it had (and logs); the first read's failure is the caller's."""

    def __init__(self, load: Callable[[], OptOutSet], refresh_s: float = 30.0) -> None:
        self._load = load
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._set = load()
        self._read_at = time.monotonic()

    def current(self) -> OptOutSet:
        if time.monotonic() - self._read_at >= self.refresh_s:
            with self._lock:
                if time.monotonic() - self._read_at >= self.refresh_s:
                    try:
                        self._set = self._load()
                    except psycopg.Error as error:
                        log.warning("opt-out registry not re-read, keeping the last set: %s",
                                    error)
                    self._read_at = time.monotonic()
        return self._set


# ---------- the registry in PostgreSQL ----------

def parse_subject(value: str) -> tuple[str | None, str | None]:
    """LOGIN_OR_ID -> (id, login): all digits is a Twitch id, else a login."""
    value = value.strip()
    if not value:
        raise ValueError("an opt-out needs a user or channel login or id")
    if value.isdigit():
        return value, None
    if not all(c.isalnum() or c == "_" for c in value):
        raise ValueError(f"{value!r} is neither a Twitch login nor an id")
    return None, value.lower()


def add(dsn: str, optout: OptOut) -> bool:
    """Record `optout`; False when the subject had opted out already (the row is completed
    with an id or login it lacked)."""
    with psycopg.connect(dsn) as conn:
        existing = _find(conn, optout)
        if existing is not None:
            conn.execute(
                "update optouts set subject_id = coalesce(subject_id, %s),"
                " subject_login = coalesce(subject_login, %s) where id = %s",
                [optout.subject_id, optout.subject_login, existing])
            return False
        conn.execute(
            "insert into optouts (kind, subject_id, subject_login, reason)"
            " values (%s, %s, %s, %s)",
            [optout.kind, optout.subject_id, optout.subject_login, optout.reason])
        audit(conn, "optout_add", optout)
        return True


def remove(dsn: str, optout: OptOut) -> bool:
    with psycopg.connect(dsn) as conn:
        existing = _find(conn, optout)
        if existing is None:
            return False
        conn.execute("delete from optouts where id = %s", [existing])
        audit(conn, "optout_remove", optout)
        return True


def find(dsn: str, optout: OptOut) -> OptOut | None:
    """The registry's row for the subject `optout` names (with both id and login if known)."""
    with psycopg.connect(dsn) as conn:
        row_id = _find(conn, optout)
        if row_id is None:
            return None
        row = conn.execute("select kind, subject_id, subject_login, reason from optouts"
                           " where id = %s", [row_id]).fetchone()
    return OptOut(*row)


def list_optouts(dsn: str) -> list[OptOut]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("select kind, subject_id, subject_login, reason from optouts"
                            " order by created_at, id").fetchall()
    return [OptOut(*row) for row in rows]


def load_set(dsn: str) -> OptOutSet:
    return OptOutSet.of(list_optouts(dsn))


def audit(conn: psycopg.Connection, action: str, optout: OptOut | None = None,
          rows_by_table: dict[str, int] | None = None, detail: str | None = None) -> None:
    conn.execute(
        "insert into privacy_audit (action, kind, subject, rows_by_table, detail)"
        " values (%s, %s, %s, %s, %s)",
        [action, optout.kind if optout else None, optout.audit_subject if optout else None,
         Jsonb(rows_by_table or {}), detail])


def record_audit(dsn: str, action: str, optout: OptOut | None = None,
                 rows_by_table: dict[str, int] | None = None, detail: str | None = None) -> None:
    with psycopg.connect(dsn) as conn:
        audit(conn, action, optout, rows_by_table, detail)


def _find(conn: psycopg.Connection, optout: OptOut) -> int | None:
    row = conn.execute(
        "select id from optouts where kind = %s and (subject_id = %s or subject_login = %s)"
        " order by id limit 1", [optout.kind, optout.subject_id, optout.subject_login]
    ).fetchone()
    return None if row is None else row[0]


@dataclass(frozen=True)
class AuditRow:
    action: str
    kind: str | None
    subject: str | None
    rows_by_table: dict[str, int] = field(default_factory=dict)


def audit_rows(dsn: str) -> list[AuditRow]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("select action, kind, subject, rows_by_table from privacy_audit"
                            " order by id").fetchall()
    return [AuditRow(*row) for row in rows]


def erase_channel_postgres(dsn: str, broadcaster_id: str) -> dict[str, int]:
    """A channel's detections and clips (the `clips` table holds both), on request."""
    with psycopg.connect(dsn) as conn:
        deleted = conn.execute("delete from clips where broadcaster_id = %s",
                               [broadcaster_id]).rowcount
    return {"clips": deleted}


def registry_set(dsn: str, *, embedded: bool) -> OptOutSet:
    """The opt-outs for a one-shot writer (an import). The embedded PostgreSQL not running
    means no registry has been started here: nothing to filter, said in the log. An external
    registry that cannot be reached is an error: writing without it could keep an opt-out."""
    try:
        # make_conninfo, not string appending: a DSN may be a URL or key=value pairs.
        timeout = {} if "connect_timeout" in dsn else {"connect_timeout": 3}
        return load_set(psycopg.conninfo.make_conninfo(dsn, **timeout))
    except psycopg.errors.UndefinedTable:
        log.debug("PostgreSQL is not migrated to the opt-out registry: none applied")
        return NO_OPTOUTS
    except psycopg.OperationalError:
        if not embedded:
            raise
        # Debug, not a warning: one-shot commands promise one line of output on an error.
        log.debug("the embedded PostgreSQL is not running: no opt-outs are applied")
        return NO_OPTOUTS
