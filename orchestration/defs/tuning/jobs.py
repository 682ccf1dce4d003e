import dagster as dg

from orchestration.defs.tuning.assets import TUNING_RESULTS

detector_tuning_job = dg.define_asset_job(
    "detector_tuning_job", selection=dg.AssetSelection.assets(TUNING_RESULTS),
    description="Sweep detector parameters over the lake and record the results.")
