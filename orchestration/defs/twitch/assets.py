"""The stream monitor as assets: the followed channels (PostgreSQL `monitor_follows`) and the
`stream-lifecycle` topic, both written by one cycle. The body is thin: `run_monitor_cycle`
and `monitor_metadata` are plain functions with their own tests."""

import asyncio

import dagster as dg

from ingest.monitor import CycleReport, run_monitor_cycle
from orchestration.defs.resources import (
    HelixResource,
    KafkaResource,
    PostgresResource,
    StreamMonitorResource,
)

FOLLOWED_CHANNELS = dg.AssetKey(["twitch", "followed_channels"])
STREAM_LIFECYCLE = dg.AssetKey(["kafka", "stream_lifecycle"])


@dg.multi_asset(
    name="stream_monitor",
    group_name="twitch",
    specs=[
        dg.AssetSpec(FOLLOWED_CHANNELS, kinds={"postgres"},
                     description="Channels chatlake follows: joined on entering the top 5, "
                     "left on leaving the top 10 or going offline (table monitor_follows)."),
        dg.AssetSpec(STREAM_LIFECYCLE, kinds={"kafka"}, deps=[FOLLOWED_CHANNELS],
                     description="online/offline events (with reasons) the chat ingest follows."),
    ],
)
def stream_monitor(context: dg.AssetExecutionContext, helix: HelixResource,
                   postgres: PostgresResource, kafka: KafkaResource,
                   stream_monitor: StreamMonitorResource):
    report = asyncio.run(run_monitor_cycle(helix.endpoint(), postgres.dsn,
                                           kafka.bootstrap_servers, stream_monitor.config()))
    context.log.info(report.summary())
    for transition in report.joins + report.leaves:
        context.log.info(f"{transition.event_type} {transition.login}: {transition.reason}")
    yield dg.MaterializeResult(asset_key=FOLLOWED_CHANNELS, metadata=monitor_metadata(report))
    yield dg.MaterializeResult(asset_key=STREAM_LIFECYCLE, metadata={
        "events_published": dg.MetadataValue.int(report.events_published)})


def monitor_metadata(report: CycleReport) -> dict[str, dg.MetadataValue]:
    """What a Dagster user sees per tick: how many are followed and why each joined or left."""
    rows = ["| channel | id | rank | since | joined because |", "|---|---|---|---|---|"]
    rows += [f"| {f.login} | {f.broadcaster_id} | {f.rank or '-'} | "
             f"{f.since:%Y-%m-%d %H:%M} | {f.join_reason} |" for f in report.followed]
    changes = [f"- **{t.event_type}** {t.login}: {t.reason}"
               for t in report.joins + report.leaves] or ["(no joins or leaves)"]
    shards: dict[str, dg.MetadataValue] = {}
    if report.shards is not None:  # several accounts: which ingest shard reads what
        shards = {"ingest_shards": dg.MetadataValue.text(report.shard_summary()),
                  "channels_moved": dg.MetadataValue.int(len(report.shards.moves)),
                  "channels_over_capacity": dg.MetadataValue.int(
                      len(report.shards.unassigned))}
    return {
        **shards,
        "followed_count": dg.MetadataValue.int(len(report.followed)),
        "joined": dg.MetadataValue.int(len(report.joins)),
        "left": dg.MetadataValue.int(len(report.leaves)),
        "missing": dg.MetadataValue.int(len(report.missing)),
        "live_streams_polled": dg.MetadataValue.int(report.live_polled),
        "duplicates_dropped": dg.MetadataValue.int(report.duplicates),
        "forbidden_skipped": dg.MetadataValue.int(len(report.forbidden_skipped)),
        "changes": dg.MetadataValue.md("\n".join(changes)),
        "followed": dg.MetadataValue.md("\n".join(rows)),
    }
