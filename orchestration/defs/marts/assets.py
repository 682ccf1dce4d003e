"""The lake's datasets (fed by the archiver and the history import) and the dbt models over
them. dbt sources are named `lake.<dataset>`, which dagster-dbt maps to the asset keys
`lake/<dataset>` declared here, so lineage runs from the imports to the marts by itself."""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.history.assets import IMPORTED_CHAT
from orchestration.defs.marts.project import dbt_build_args, dbt_executable
from orchestration.defs.resources import LakeResource, WarehouseResource
from orchestration.defs.twitch.assets import STREAM_LIFECYCLE

MARTS_GROUP = "marts"
LAKE_CHAT_MESSAGES = dg.AssetKey(["lake", "chat_messages"])
LAKE_CHAT_WINDOWS = dg.AssetKey(["lake", "chat_windows"])
LAKE_STREAM_LIFECYCLE = dg.AssetKey(["lake", "stream_lifecycle"])

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


def build_marts_assets(project: DbtProject) -> dg.AssetsDefinition:
    """The dbt models (and their tests, as asset checks) from the project's manifest."""

    @dbt_assets(manifest=project.manifest_path, project=project,
                dagster_dbt_translator=MartsTranslator(), name="chatlake_dbt_models")
    def chatlake_dbt_models(context: dg.AssetExecutionContext, lake: LakeResource,
                            warehouse: WarehouseResource) -> Iterator[Any]:
        # The dbt CLI is made here rather than bound as a resource: its only settings are the
        # project (fixed) and the lake and warehouse paths, which go in as --vars.
        dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        warehouse_file = Path(warehouse.path)
        warehouse_file.parent.mkdir(parents=True, exist_ok=True)
        yield from dbt.cli(dbt_build_args(lake.uri, warehouse_file), context=context).stream()

    return chatlake_dbt_models
