"""Checks on the published marts: are they fresh, and do they count every message the lake holds.

Both read the build record (marts_file.py) rather than trusting the run that made it: the count
check recounts the lake at the very versions the build pinned, outside dbt, so a model that
drops or doubles messages fails it; the freshness check compares the build with the lake now.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl

from warehouse.lake_store import LakeStore
from warehouse.marts_build import plan_build
from warehouse.marts_file import MartsFile

# The tables that count each live message once, and the column that counts them (None: a row
# per message).
MESSAGE_COUNTS = {
    "intermediate.int_chat_messages_deduplicated": None,
    "marts.channel_daily_rollups": "messages",
    "marts.channel_hourly_rollups": "messages",
}


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    description: str
    metadata: dict[str, object] = field(default_factory=dict)


def check_freshness(store: LakeStore, marts: MartsFile, *, max_age: timedelta,
                    now: datetime | None = None) -> CheckOutcome:
    """Fresh: the lake has not changed since the build, or the build is younger than `max_age`
    (the sensor asks for a rebuild every minute; one that keeps failing shows up here)."""
    build = marts.last_build()
    if build is None:
        return CheckOutcome(False, f"the marts have never been built ({marts.path})")
    age = (now or datetime.now(UTC)) - build.built_at
    # What the sensor would ask for now (None: an emote set changed, everything is pending).
    days = plan_build(store, marts).days
    pending = days if days is not None else ("every day",)
    metadata = {"built_at": build.built_at.isoformat(),
                "age_minutes": round(age / timedelta(minutes=1), 1),
                "days_pending": len(pending),
                "newest_message": build.through.isoformat() if build.through else None}
    if not pending:
        return CheckOutcome(True, "the marts hold everything the lake holds", metadata)
    if age <= max_age:
        return CheckOutcome(True, f"{len(pending)} day(s) pending, build younger than "
                            f"{max_age}", metadata)
    return CheckOutcome(False, f"{len(pending)} day(s) changed in the lake since a build "
                        f"{metadata['age_minutes']} minutes old", metadata)


def check_message_counts(store: LakeStore, marts: MartsFile) -> CheckOutcome:
    """Every mart that counts messages counts the distinct live messages of the lake version
    the build read."""
    build = marts.last_build()
    if build is None:
        return CheckOutcome(False, f"the marts have never been built ({marts.path})")
    version = build.lake_versions.get("chat_messages")
    expected = 0 if version is None else lake_live_messages(store, version)
    with duckdb.connect(str(marts.path), read_only=True) as con:
        counted = {table: _count(con, table, column) for table, column in MESSAGE_COUNTS.items()}
    metadata: dict[str, object] = {"lake_version": version, "lake_live_messages": expected,
                                   **counted}
    wrong = sorted(table for table, count in counted.items() if count != expected)
    if wrong:
        return CheckOutcome(False, f"{', '.join(wrong)} disagree with the lake's {expected} "
                            "live messages", metadata)
    return CheckOutcome(True, f"{expected} live messages, counted once everywhere", metadata)


def lake_live_messages(store: LakeStore, version: int) -> int:
    """Distinct message ids of live chat (not VOD comments) in chat_messages at `version`."""
    table = store.open("chat_messages", version)
    if table is None:
        return 0
    frame = pl.scan_pyarrow_dataset(table.to_pyarrow_dataset())
    return (frame.filter(~pl.col("is_vod_comment").fill_null(False))
            .select(pl.col("message_id").n_unique()).collect().item())


def _count(con: duckdb.DuckDBPyConnection, table: str, column: str | None) -> int:
    total = "count(*)" if column is None else f"coalesce(sum({column}), 0)"
    (count,) = con.execute(f"select {total} from {table}").fetchone()
    return int(count)
