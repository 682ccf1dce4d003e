import dagster as dg

from orchestration.defs.lake.assets import LAKE_MAINTENANCE

lake_maintenance_job = dg.define_asset_job(
    "lake_maintenance_job", selection=dg.AssetSelection.assets(LAKE_MAINTENANCE),
    description="Compact the lake's tables; vacuum them when configured to.")
