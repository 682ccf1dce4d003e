"""The dbt project behind the marts, and what a build is told: plain functions, tested alone.

The manifest is what Dagster builds the asset graph from, so it must exist when the code
location loads: it is parsed then if it is missing (a few seconds, once) or, under
`dagster dev`, on every load so model edits show up.
"""

import json
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt"


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so it is found without `uv run` too."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.is_file() else (shutil.which("dbt") or "dbt")


def marts_project(project_dir: Path = DBT_PROJECT_DIR) -> DbtProject:
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


def prepare_manifest(project: DbtProject) -> Path:
    """`dbt parse` when there is no manifest yet (or under `dagster dev`); the manifest's path."""
    project.prepare_if_dev()
    if not project.manifest_path.is_file():
        resource = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        resource.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


def dbt_build_args(lake_uri: str, warehouse: Path) -> list[str]:
    """`dbt build` told where the lake and the warehouse are, as absolute paths: dbt runs in
    the project folder, where the settings' relative defaults would point elsewhere."""
    variables = {"lake_uri": lake_uri, "marts_database": str(warehouse.resolve())}
    return ["build", "--vars", json.dumps(variables)]
