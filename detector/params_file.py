"""Writing the applied detector parameters (`chatlake tune --apply`).

The format and its one reader live in `chatlake_contracts.params_file`, which the detector job
imports too; the file's place is the `CHATLAKE_DETECTOR_PARAMS_FILE` setting (default
`<state dir>/detector/params.json`). Written atomically (temporary file, then rename), so a job
never reads half a file.
"""

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import FORMAT, ParamsFileError, load_params_file

__all__ = ["FORMAT", "ParamsFileError", "load_params_file", "write_params_file"]


def write_params_file(path: Path, default: DetectorParams | None = None,
                      channels: dict[str, DetectorParams] | None = None,
                      tuning: dict | None = None) -> Path:
    """Write (or update) the file. `default=None` keeps the file's default; `channels` are
    merged into the file's channels."""
    path = Path(path)
    old_default, old_channels = (load_params_file(path) if path.exists()
                                 else (DetectorParams(), {}))
    merged = {**old_channels, **(channels or {})}
    document = {
        "format": FORMAT,
        "default": asdict(default or old_default),
        "channels": {c: asdict(p) for c, p in sorted(merged.items())},
        "tuning": tuning or {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".params-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    Path(temporary).replace(path)
    return path
