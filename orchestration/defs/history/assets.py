"""The backfill asset: one chat file (partition) imported into the lake's `chat_messages`.

Re-materializing a partition of an unchanged file writes nothing, and one whose file changed
replaces its rows in one commit (ingest/chat_import.py), so a retry or a re-run never doubles
messages."""

from pathlib import Path

import dagster as dg

from ingest.history_folder import import_file
from ingest.importers import ImportFileError
from orchestration.defs.history.partitions import chat_files_partitions
from orchestration.defs.resources import LakeResource

IMPORTED_CHAT = dg.AssetKey(["lake", "imported_chat"])


@dg.asset(key=IMPORTED_CHAT, partitions_def=chat_files_partitions, group_name="history",
          kinds={"delta"},
          description="Chat of past broadcasts imported from files into lake/chat_messages "
          "(one partition per file; options from <file>.options.json or _options.json).")
def imported_chat(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    path = Path(context.partition_key)
    if not path.is_file():
        raise dg.Failure(f"chat file {path} no longer exists")
    try:
        report = import_file(path, lake.uri)
    except ImportFileError as error:
        raise dg.Failure(str(error)) from None
    context.log.info(f"{path.name}: {report.messages} messages, "
                     f"{len(report.bad_lines)} bad lines")
    return dg.MaterializeResult(metadata={
        "messages": dg.MetadataValue.int(report.messages),
        "bad_lines": dg.MetadataValue.int(len(report.bad_lines)),
        "already_imported": dg.MetadataValue.bool(report.already_imported),
        "file": dg.MetadataValue.path(str(path)),
    })
