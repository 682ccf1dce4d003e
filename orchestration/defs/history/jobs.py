import dagster as dg

from orchestration.defs.history.assets import IMPORTED_CHAT
from orchestration.defs.history.partitions import chat_files_partitions

history_import_job = dg.define_asset_job(
    "history_import_job", selection=dg.AssetSelection.assets(IMPORTED_CHAT),
    description="Import one past broadcast's chat file into the lake.")


class AddFilesConfig(dg.Config):
    paths: list[str]


@dg.op
def add_chat_file_partitions(context: dg.OpExecutionContext, config: AddFilesConfig) -> None:
    """Register chat files given at launch as partitions; then backfill them from the UI."""
    from pathlib import Path

    missing = [p for p in config.paths if not Path(p).is_file()]
    if missing:
        raise dg.Failure(f"not files: {', '.join(missing)}")
    keys = [str(Path(p).resolve()) for p in config.paths]
    context.instance.add_dynamic_partitions(chat_files_partitions.name, keys)
    context.log.info(f"added {len(keys)} partition(s)")


@dg.job(description="Register chat files (paths in the run config) as chat_files partitions.")
def history_add_files_job() -> None:
    add_chat_file_partitions()
