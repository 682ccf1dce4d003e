"""Watch a folder for chat files: each new (or changed) file becomes a partition and a run."""

from pathlib import Path

import dagster as dg

from ingest.history_folder import chat_files_in, file_version
from orchestration.defs.history.jobs import history_import_job
from orchestration.defs.history.partitions import chat_files_partitions
from orchestration.defs.resources import HistoryFolderResource


def history_requests(folder: Path, known: set[str]) -> tuple[list[str], list[dg.RunRequest]]:
    """(partition keys to add, run requests). The run key holds the file's size and mtime:
    an unchanged file is never re-run, an edited one is."""
    files = chat_files_in(folder)
    new = [str(p) for p in files if str(p) not in known]
    requests = [dg.RunRequest(partition_key=str(p), run_key=f"{p}@{file_version(p)}")
                for p in files]
    return new, requests


@dg.sensor(job=history_import_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def history_folder_sensor(context: dg.SensorEvaluationContext,
                          history_folder: HistoryFolderResource) -> dg.SensorResult:
    known = set(context.instance.get_dynamic_partitions(chat_files_partitions.name))
    new, requests = history_requests(Path(history_folder.folder), known)
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[chat_files_partitions.build_add_request(new)] if new else [])
