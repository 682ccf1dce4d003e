"""The tuning asset: sweep detector parameters over the imported history, select on train,
record every run in `tuning_runs`/`tuning_results` (docs/tuning.md) for the API and UI."""

import dagster as dg

from detector.labels import LabelError
from detector.lake_sweep import sweep_lake
from orchestration.defs.history.assets import IMPORTED_CHAT
from orchestration.defs.resources import LakeResource, PostgresResource

TUNING_RESULTS = dg.AssetKey(["postgres", "tuning_results"])


class TuningConfig(dg.Config):
    labels: str | None = None  # video_id,start_s,end_s[,split] CSV
    clips: str | None = None  # crowd clips CSV, with min_views
    min_views: int = 10
    channels: list[str] | None = None
    min_precision: float = 0.55


@dg.asset(key=TUNING_RESULTS, deps=[IMPORTED_CHAT], group_name="tuning", kinds={"postgres"},
          description="A detector parameter sweep over the lake, selected on the train split.")
def detector_tuning(context: dg.AssetExecutionContext, config: TuningConfig,
                    postgres: PostgresResource, lake: LakeResource) -> dg.MaterializeResult:
    if (config.labels is None) == (config.clips is None):
        raise dg.Failure("set exactly one of labels and clips in the run config")
    try:
        result = sweep_lake(lake.uri, postgres.dsn, context.run.run_id, config.labels,
                            config.clips, config.min_views, config.channels,
                            config.min_precision)
    except (LabelError, ValueError) as error:
        raise dg.Failure(str(error)) from None
    best, applicable = result.chosen, result.applicable
    metadata = {
        "parameter_sets": dg.MetadataValue.int(len(result.rows)),
        "rows_stored": dg.MetadataValue.int(result.stored),
        "labels": dg.MetadataValue.text(result.labels),
        "chosen": dg.MetadataValue.json(best.params.as_dict()),
        "chosen_train_f1": dg.MetadataValue.float(best.train.f1),
        "applicable": dg.MetadataValue.json(applicable.params.as_dict()),
        "applicable_train_f1": dg.MetadataValue.float(applicable.train.f1),
    }
    if best.test is not None:
        metadata["chosen_test_f1"] = dg.MetadataValue.float(best.test.f1)
        metadata["applicable_test_f1"] = dg.MetadataValue.float(applicable.test.f1)
    return dg.MaterializeResult(metadata=metadata)
