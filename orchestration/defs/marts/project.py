"""The dbt project behind the marts: plain functions, tested alone.

The manifest is what Dagster builds the asset graph from, so it must exist when the code
location loads: it is parsed then if it is missing (a few seconds, once) or, under
`dagster dev`, on every load so model edits show up.
"""

from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from warehouse.marts_build import DBT_PROJECT_DIR, dbt_executable


def marts_project(project_dir: Path = DBT_PROJECT_DIR) -> DbtProject:
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


def prepare_manifest(project: DbtProject) -> Path:
    """`dbt parse` when there is no manifest yet (or under `dagster dev`); the manifest's path."""
    project.prepare_if_dev()
    if not project.manifest_path.is_file():
        resource = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        resource.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path
