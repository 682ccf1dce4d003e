"""Helpers for the importer tests (a uniquely named module: test folders share sys.path)."""

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from ingest.importers import BadLine, ImportOptions, read_chat_file

NO_OPTIONS = ImportOptions()




def split_items(items: Iterable[dict | BadLine]) -> tuple[list[dict], list[BadLine]]:
    records, bad = [], []
    for item in items:
        (bad if isinstance(item, BadLine) else records).append(item)
    return records, bad


def import_file(path: Path, options: ImportOptions = NO_OPTIONS) -> tuple[list, list]:
    return split_items(read_chat_file(path, options))


def load_json_file(path: Path):
    """An independent read of a (gzipped) JSON file, with the standard library only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as file:
        return json.load(file)


def read_lines(path: Path) -> list[str]:
    """An independent read of a (gzipped) text file's lines, LF-split, CR and BOM removed."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8").removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]
