import dagster as dg

from orchestration.defs.twitch.assets import FOLLOWED_CHANNELS, STREAM_LIFECYCLE

stream_monitor_job = dg.define_asset_job(
    "stream_monitor_job",
    selection=dg.AssetSelection.assets(FOLLOWED_CHANNELS, STREAM_LIFECYCLE),
    description="One stream monitor cycle: poll Get Streams, follow/leave, announce.",
    # Runs must not pile up if Twitch is slow: the cycle also locks in PostgreSQL.
    tags={"dagster/max_concurrent_runs": "1"},
)
