"""The dbt marts (dbt/, docs/marts.md) as Dagster assets, downstream of the lake's datasets.

The lake's datasets (fed by the archiver and the history import) and the dbt models over
them. dbt sources are named `lake.<dataset>`, which dagster-dbt maps to the asset keys
`lake/<dataset>` declared here, so lineage runs from the imports to the marts by itself.

The models are partitioned by UTC day: a run rebuilds its days (a range in one run, for a
backfill) into a copy of the marts file and swaps it in (warehouse/marts_build.py); the first
run of all builds everything. `lake_changes_sensor` asks for the days the lake changed.
"""

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.history.assets import IMPORTED_CHAT
from orchestration.defs.marts.project import dbt_executable
from orchestration.defs.resources import LakeResource, WarehouseResource
from orchestration.defs.twitch.assets import STREAM_LIFECYCLE
from warehouse.marts_build import built, dbt_build_args, plan_build
from warehouse.marts_file import MartsFile

MARTS_GROUP = "marts"
LAKE_CHAT_MESSAGES = dg.AssetKey(["lake", "chat_messages"])
LAKE_CHAT_WINDOWS = dg.AssetKey(["lake", "chat_windows"])
LAKE_STREAM_LIFECYCLE = dg.AssetKey(["lake", "stream_lifecycle"])
# Twitch opened in June 2011: no chat is older, and a day outside the partitions could not be
# rebuilt on its own.
MARTS_DAYS = dg.DailyPartitionsDefinition(start_date="2011-06-01", end_offset=1)

lake_datasets = [
    dg.AssetSpec(LAKE_CHAT_MESSAGES, deps=[IMPORTED_CHAT], group_name="lake", kinds={"delta"},
                 description="lake/chat_messages: archived from Kafka chat-messages and "
                 "imported from chat files."),
    dg.AssetSpec(LAKE_CHAT_WINDOWS, group_name="lake", kinds={"delta"},
                 description="lake/chat_windows: the detector's 5-second windows, archived "
                 "from Kafka chat-windows."),
    dg.AssetSpec(LAKE_STREAM_LIFECYCLE, deps=[STREAM_LIFECYCLE], group_name="lake",
                 kinds={"delta"},
                 description="lake/stream_lifecycle: the monitor's online/offline events, "
                 "archived from Kafka stream-lifecycle."),
]


class MartsTranslator(DagsterDbtTranslator):
    """Models are keyed `<schema>/<model>` (staging/, intermediate/, marts/), all in one group;
    sources keep dagster-dbt's `<source>/<table>`, i.e. `lake/<dataset>`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        schema = dbt_resource_props.get("config", {}).get("schema") or "dbt"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return MARTS_GROUP


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The UTC days of the run's partition (or partition range)."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=n) for n in range((end - first).days)]


def build_marts_assets(project: DbtProject) -> dg.AssetsDefinition:
    """The dbt models (and their tests, as asset checks) from the project's manifest."""

    @dbt_assets(manifest=project.manifest_path, project=project,
                dagster_dbt_translator=MartsTranslator(), name="chatlake_dbt_models",
                partitions_def=MARTS_DAYS, backfill_policy=dg.BackfillPolicy.single_run())
    def chatlake_dbt_models(context: dg.AssetExecutionContext, lake: LakeResource,
                            warehouse: WarehouseResource) -> Iterator[Any]:
        # The dbt CLI is made here rather than bound as a resource: its only settings are the
        # project (fixed) and the lake and warehouse paths, which go in as --vars.
        dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        store, marts = lake.store(), MartsFile(Path(warehouse.path))
        plan = plan_build(store, marts, days=partition_days(context))
        context.log.info("marts: full build" if plan.full else
                         f"marts: rebuilding {len(plan.days or ())} day(s)")
        with marts.build(full=plan.full) as database:
            yield from dbt.cli(dbt_build_args(store.uri, database, plan),
                               context=context).stream()
            marts.record(built(plan, database))

    return chatlake_dbt_models
