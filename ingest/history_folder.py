"""Plain helpers behind the Dagster backfill of past broadcasts (orchestration/defs/history):
which files a watched folder holds, what import options each needs, and the import itself.

Options: a file's chat may lack its channel or wall-clock start (the Dota 2 files do). They come
from a sidecar `<file name>.options.json` beside the file, else from `_options.json` in the
folder: `{"channel": "login", "channel_id": "123", "start": "2019-03-02T17:04:21Z"}`.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

from ingest.chat_import import FileReport, import_to_lake
from ingest.importers import ImportOptions
from warehouse.lake_store import LakeStore

CHAT_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".irc", ".log", ".log.gz",
                 ".txt", ".txt.gz")
FOLDER_OPTIONS = "_options.json"
SIDECAR_SUFFIX = ".options.json"


def chat_files_in(folder: Path) -> list[Path]:
    """Chat files directly in `folder` (not the option files), sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.resolve() for p in folder.iterdir()
                  if p.is_file() and p.name.endswith(CHAT_SUFFIXES)
                  and not p.name.endswith(SIDECAR_SUFFIX) and p.name != FOLDER_OPTIONS)


def file_version(path: Path) -> str:
    """Changes when the file does: part of the sensor's run key, so an edited file re-imports."""
    stat = path.stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def options_for(path: Path) -> ImportOptions:
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX),
                      path.with_name(FOLDER_OPTIONS)):
        if candidate.is_file():
            values = json.loads(candidate.read_text(encoding="utf-8"))
            start = values.get("start")
            moment = datetime.fromisoformat(start) if start else None
            if moment and moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return ImportOptions(channel=values.get("channel"),
                                 channel_id=values.get("channel_id"), start=moment)
    return ImportOptions()


def import_file(path: Path, lake_uri: str) -> FileReport:
    """Import one file into the lake; again, it writes nothing (a changed file: replaces)."""
    return import_to_lake(path, options_for(path), LakeStore.at(lake_uri))
