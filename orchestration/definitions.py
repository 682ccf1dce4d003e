"""The Dagster code location: `uv run dagster dev -m orchestration.definitions`.

Thin on purpose: every asset, job and schedule lives in the `defs/` package (one folder per
concern, one file per kind of definition) and is found through `dg.toml`; the resources are
bound here, from settings built when Dagster loads the location, never at import time.
"""

from pathlib import Path

import dagster as dg

from core.settings import Settings
from orchestration.defs.resources import resources_from_settings

PROJECT = Path(__file__).parent  # holds dg.toml


def load_project_defs() -> dg.Definitions:
    """Every definition under defs/, without resources (tests bind their own)."""
    return dg.load_from_defs_folder(path_within_project=PROJECT)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        load_project_defs(),
        dg.Definitions(resources=resources_from_settings(Settings())),
    )
