"""Everything Dagster runs, one folder per concern (`twitch/`: the stream monitor; backfills,
dbt marts and tuning jobs get folders of their own). Shared resources: `resources.py`."""
