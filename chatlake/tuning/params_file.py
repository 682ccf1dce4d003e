"""The applied detector parameters: one JSON file the detector job reads at start.

    {
      "format": "chatlake-detector-params/1",
      "default": {"bucket_ms": 5000, "baseline_ms": 300000, "k": 3.0, "cooldown_ms": 30000,
                  "min_count": 5, "max_gap_ms": null},
      "channels": {"<broadcaster_id>": {<the same keys; missing keys come from "default">}},
      "tuning": {<where the numbers came from: labels, train/test figures, time; informative>}
    }

Keys are `chatlake_contracts.detector.DetectorParams` fields, so a reader needs only the
contracts package (`load_params_file` uses nothing else): the job builds one DetectorParams for
"default" and one per listed channel, and keys its state by broadcaster as it already does.
Written atomically (temporary file, then rename), so a job never reads half a file.
"""

import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

from chatlake_contracts.detector import DetectorParams

FORMAT = "chatlake-detector-params/1"
FILE_NAME = "detector/params.json"  # under the state folder


class ParamsFileError(ValueError):
    pass


def default_path(state_dir: Path) -> Path:
    return Path(state_dir) / FILE_NAME


def _params(values: dict, base: DetectorParams, where: str) -> DetectorParams:
    known = {f.name for f in fields(DetectorParams)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParamsFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    try:
        return DetectorParams(**{**asdict(base), **values})
    except (TypeError, ValueError) as error:
        raise ParamsFileError(f"{where}: {error}") from None


def load_params_file(path: Path) -> tuple[DetectorParams, dict[str, DetectorParams]]:
    """(default parameters, per-channel parameters by broadcaster id)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ParamsFileError(f"{path}: cannot read detector parameters ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ParamsFileError(f"{path}: not a {FORMAT} file")
    default = _params(document.get("default") or {}, DetectorParams(), f"{path}: default")
    channels = {str(channel): _params(values, default, f"{path}: channels.{channel}")
                for channel, values in (document.get("channels") or {}).items()}
    return default, channels


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
