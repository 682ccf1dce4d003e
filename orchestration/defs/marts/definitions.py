"""The dbt assets need the project's manifest, so they are built when the code location loads
(a lazy `@dg.definitions`), not when this package is imported."""

import dagster as dg

from orchestration.defs.marts.assets import build_marts_assets
from orchestration.defs.marts.checks import marts_checks
from orchestration.defs.marts.project import marts_project, prepare_manifest


@dg.definitions
def marts_defs() -> dg.Definitions:
    project = marts_project()
    prepare_manifest(project)
    return dg.Definitions(assets=[build_marts_assets(project)], asset_checks=marts_checks)
