"""Build the marts with the dbt CLI (a subprocess, so dbt's global state and its DuckDB
connection stay out of the test process) and read the lake independently of dbt."""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deltalake import DeltaTable

from orchestration.defs.marts.project import DBT_PROJECT_DIR, dbt_executable


@dataclass
class DbtRun:
    returncode: int
    output: str
    results: dict[str, str]  # unique_id -> status, from run_results.json


def dbt_build(lake: Path, warehouse: Path, work: Path, extra_vars: dict | None = None,
              **more_vars) -> DbtRun:
    """`dbt build`; `extra_vars` and `more_vars` go in --vars beside the paths (days=[...])."""
    variables = {"lake_uri": str(lake), "marts_database": str(warehouse), **(extra_vars or {}),
                 **more_vars}
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), "--vars", json.dumps(variables)],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    run_results = work / "target" / "run_results.json"
    results = {}
    if run_results.is_file():
        results = {r["unique_id"]: r["status"]
                   for r in json.loads(run_results.read_text())["results"]}
    return DbtRun(completed.returncode, completed.stdout[-4000:], results)


def failures(run: DbtRun) -> list[str]:
    return [f"{uid}: {status}" for uid, status in run.results.items()
            if status not in {"success", "pass"}]


def live_chat_rows(lake: Path) -> list[dict]:
    """Live chat (no VOD comments) read straight from the Delta table with pyarrow, no dbt."""
    dataset = DeltaTable(str(lake / "chat_messages")).to_pyarrow_dataset()
    table = dataset.to_table(columns=["message_id", "broadcaster_id", "timestamp", "text",
                                      "user_id", "user_name", "user_display_name",
                                      "is_vod_comment", "vod_id", "metadata"])
    rows = [r for r in table.to_pylist() if not r["is_vod_comment"]]
    for row in rows:
        row["chatter_id"] = chatter_id(row)
    return rows


def chatter_id(row: dict) -> str:
    """The marts' chatter identity: user id, else login, else display name."""
    if row["user_id"]:
        return row["user_id"]
    if row["user_name"]:
        return f"login:{row['user_name'].lower()}"
    return f"display:{row['user_display_name'].lower()}"
