"""One marts build: what it must rebuild, the dbt command for it, and its publication.

A build reads each lake table at the version it finds when it starts (pinned in dbt's vars, so
every model sees one commit whatever the archiver writes meanwhile) and rebuilds the days that
changed since the versions the published build read (warehouse/lake_changes.py), or the days
it is told (a Dagster partition); the first build, or `full`, reads everything. It is built into
a copy of the marts file and swapped in (warehouse/marts_file.py). The dbt command itself is
the caller's to run: a subprocess here, dagster-dbt in Dagster.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from warehouse.channel_emotes import TABLE as CHANNEL_EMOTES
from warehouse.lake_changes import days_changed_since, table_versions
from warehouse.lake_store import LakeStore
from warehouse.marts_file import MartsBuild, MartsFile

log = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt"
# The lake tables the models read; a change in any of them means a rebuild of its days.
SOURCE_TABLES = ("chat_messages", "chat_windows", "stream_lifecycle", CHANNEL_EMOTES)


@dataclass(frozen=True)
class BuildPlan:
    lake_versions: dict[str, int]
    days: tuple[date, ...] | None  # None: a full build

    @property
    def full(self) -> bool:
        return self.days is None


class DbtBuildError(RuntimeError):
    pass


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so it is found without `uv run` too."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.is_file() else (shutil.which("dbt") or "dbt")


def plan_build(store: LakeStore, marts: MartsFile, *, days: Iterable[date] | None = None,
               full: bool = False) -> BuildPlan:
    """Everything when asked, when nothing (or an unrecorded build) is published, or when the
    emote sets changed (an emote's validity can reach back to any day, and the table has no
    days); else the days given, or those changed since the published build."""
    now = table_versions(store, SOURCE_TABLES)
    published = None if full else marts.last_build()
    if published is None or published.lake_versions.get(CHANNEL_EMOTES) != now.get(CHANNEL_EMOTES):
        return BuildPlan(now, None)
    if days is None:
        days = days_changed_since(store, published.lake_versions, now)
    return BuildPlan(now, tuple(sorted(set(days))))


def dbt_vars(lake_uri: str, database: Path, plan: BuildPlan) -> dict:
    """dbt's --vars for `plan`, with absolute paths: dbt runs in the project folder, where the
    settings' relative defaults would point elsewhere."""
    variables: dict = {"lake_uri": lake_uri, "marts_database": str(database.resolve()),
                       "lake_versions": plan.lake_versions}
    if plan.days is not None:
        variables["days"] = [day.isoformat() for day in plan.days]
    return variables


def dbt_build_args(lake_uri: str, database: Path, plan: BuildPlan) -> list[str]:
    """`dbt build` of `plan`. The models' unit tests check the SQL, not the data: a full build
    runs them, a build of some days (the frequent one) leaves them out."""
    args = ["build", "--vars", json.dumps(dbt_vars(lake_uri, database, plan))]
    return args if plan.full else [*args, "--exclude-resource-type", "unit_test"]


def build_marts(store: LakeStore, marts: MartsFile, plan: BuildPlan,
                run_dbt: Callable[[list[str], Path], None]) -> MartsBuild | None:
    """Build `plan` into a copy of the marts and publish it; None when there was nothing to
    rebuild. `run_dbt(args, database)` runs dbt and raises when it fails."""
    if plan.days == ():
        log.info("marts: nothing changed in the lake since the published build")
        return None
    with marts.build(full=plan.full) as database:
        run_dbt(dbt_build_args(store.uri, database, plan), database)
        build = built(plan, database)
        marts.record(build)
    return build


def built(plan: BuildPlan, database: Path) -> MartsBuild:
    """The record of `plan` once dbt has built it into `database`."""
    return MartsBuild(datetime.now(UTC), plan.lake_versions, plan.days, newest_message(database))


def newest_message(database: Path) -> datetime | None:
    """The newest live message the built marts hold: where the API's live tail starts."""
    with duckdb.connect(str(database), read_only=True) as con:
        (newest,) = con.execute(
            "select max(sent_at) from intermediate.int_chat_messages_deduplicated").fetchone()
    return None if newest is None else newest.replace(tzinfo=UTC)


def run_dbt_subprocess(args: list[str], database: Path, *, work: Path | None = None) -> None:
    """dbt as a child process (its global state stays out of this one); raises with the tail
    of its output when it fails."""
    work = work or database.parent / "dbt"
    command = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
               "--log-path", str(work / "logs")]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise DbtBuildError(f"dbt build failed (exit {completed.returncode}):\n"
                            f"{completed.stdout[-3000:]}{completed.stderr[-1000:]}")
