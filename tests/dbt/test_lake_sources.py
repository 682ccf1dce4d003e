"""dbt's lake sources have the shape of warehouse/lake_schema.py's datasets (and of
warehouse/channel_emotes.py's table).

dbt needs the column types in its own YAML (macros/lake.sql builds the empty relation of a
dataset without files from them), so the Python schema cannot be its source; this test holds the
two equal, comparing the relation the macro renders with `Dataset.read_schema`, both as DuckDB
describes them.
"""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.marts.project import DBT_PROJECT_DIR, dbt_executable
from warehouse import channel_emotes
from warehouse.lake_schema import DATASETS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Every lake source's empty relation, each after a `-- <dataset>` line.
_EMPTY_RELATIONS = """
{%- for node in graph.sources.values() if node.source_name == 'lake' %}
-- {{ node.name }}
{{ lake_empty_relation(node.name) }}
{%- endfor %}
"""


def rendered_empty_relations(work: Path) -> dict[str, str]:
    """Dataset name -> the SQL of its empty relation, as `dbt compile` renders the macro."""
    variables = {"lake_uri": str(work / "lake"), "marts_database": str(work / "w.duckdb")}
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [dbt_executable(), "compile", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), "--vars", json.dumps(variables),
         "--inline", _EMPTY_RELATIONS, "--output", "json", "--quiet"],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    compiled = json.loads(completed.stdout)["compiled"]
    relations = {}
    for part in compiled.split("\n-- ")[1:]:
        name, sql = part.split("\n", 1)
        relations[name.strip()] = sql
    return relations


def described(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"describe {relation}").fetchall()]


def test_the_empty_relations_of_dbt_match_the_lake_schema(tmp_path):
    relations = rendered_empty_relations(tmp_path)
    by_name = {dataset.name: dataset.read_schema for dataset in DATASETS}
    by_name[channel_emotes.TABLE] = channel_emotes.SCHEMA  # PostgreSQL's copy, no record topic
    assert relations, "no lake sources rendered"
    assert set(relations) <= set(by_name), "a dbt lake source that is no lake dataset"
    con = duckdb.connect()
    for name, sql in relations.items():
        con.register("python_shape", by_name[name].empty_table())
        assert described(con, f"({sql})") == described(con, "python_shape"), name
        con.unregister("python_shape")
