"""Dagster definitions: `definitions.py` (the code location) loads the `defs/` package."""
