import dagster as dg

from orchestration.defs.marts.assets import MARTS_GROUP

marts_job = dg.define_asset_job(
    "marts_job", selection=dg.AssetSelection.groups(MARTS_GROUP),
    description="Rebuild the dbt marts over the lake (dbt build: models and their tests).")
