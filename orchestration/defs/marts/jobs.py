import dagster as dg

from orchestration.defs.marts.assets import MARTS_GROUP

marts_job = dg.define_asset_job(
    "marts_job", selection=dg.AssetSelection.groups(MARTS_GROUP),
    description="Rebuild the dbt marts' days over the lake (dbt build: models and their "
    "tests), into a copy of the marts file that is then swapped in.")
