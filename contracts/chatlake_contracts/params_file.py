"""The applied detector parameters: one JSON file that `chatlake tune --apply` writes
(`detector.params_file`) and the detector job reads at start.

    {
      "format": "chatlake-detector-params/1",
      "default": {"bucket_ms": 5000, "baseline_ms": 300000, "k": 3.0, "cooldown_ms": 30000,
                  "min_count": 5, "max_gap_ms": null},
      "channels": {"<broadcaster_id>": {<the same keys; missing keys come from "default">}},
      "tuning": {<where the numbers came from: labels, train/test figures, time; informative>}
    }

Keys are `DetectorParams` fields, checked against its field types, so a field added there is
read here with no change; `model` is a `chatlake_contracts.learned.LinearModel` as an object
(features, center, scale, coef, intercept, threshold, version), refused when a feature is
unknown, a list has the wrong length or a number is not finite. Standard library only: the
PyFlink job imports this module.
"""

import json
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path

from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.learned import LinearModel, ModelError

FORMAT = "chatlake-detector-params/1"


class ParamsFileError(ValueError):
    """The file cannot be used; the one-line message names the file, the entry and the problem."""


def _check_type(name: str, value: object, annotation: object, where: str) -> None:
    allowed = typing.get_args(annotation) or (annotation,)
    if not all(isinstance(t, type) for t in allowed):
        return  # a field type isinstance cannot check; DetectorParams' own checks still run
    if float in allowed:
        allowed += (int,)  # JSON writes 3.0 as 3.0, but a hand-edited file may say 3
    if isinstance(value, bool) or not isinstance(value, allowed):
        expected = getattr(annotation, "__name__", str(annotation))
        raise ParamsFileError(f"{where}: {name} must be {expected}, not {json.dumps(value)}")


def parse_params(values: object, base: DetectorParams, where: str) -> DetectorParams:
    """`base` with the fields given in `values` (a dict from the file) replaced."""
    if not isinstance(values, dict):
        raise ParamsFileError(f"{where}: expected an object of detector parameters")
    types = {f.name: f.type for f in fields(DetectorParams)}
    unknown = sorted(set(values) - set(types))
    if unknown:
        raise ParamsFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values = dict(values)
    if isinstance(values.get("model"), dict):
        try:
            values["model"] = LinearModel.from_dict(values["model"])
        except ModelError as error:
            raise ParamsFileError(f"{where}: model: {error}") from None
    for name, value in values.items():
        if name != "model" or value is None or not isinstance(value, LinearModel):
            _check_type(name, value, types[name], where)
    try:
        return replace(base, **values)
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
    default = parse_params(document.get("default") or {}, DetectorParams(), f"{path}: default")
    channels = document.get("channels") or {}
    if not isinstance(channels, dict):
        raise ParamsFileError(f"{path}: channels: expected an object keyed by broadcaster id")
    return default, {str(channel): parse_params(values, default, f"{path}: channels.{channel}")
                     for channel, values in channels.items()}


@dataclass(frozen=True)
class AppliedParams:
    """What a detector job runs with: `default` (its bucket is the job's SQL window), the
    per-channel sets, where they came from, and what had to be changed to run them."""

    default: DetectorParams
    channels: dict[str, DetectorParams]
    source: str
    notes: tuple[str, ...] = ()

    def for_channel(self, broadcaster_id: str) -> DetectorParams:
        return self.channels.get(broadcaster_id, self.default)


def applied_params(path: Path | None, fallback: DetectorParams, fallback_source: str
                   ) -> AppliedParams:
    """The file's parameters when `path` exists, else `fallback` (the job's own settings).

    The job windows all channels in one SQL query, so it has one window length: the file
    default's. A channel set with another bucket runs with the job's instead (a note says so)."""
    if path is None or not Path(path).exists():
        where = fallback_source if path is None else f"{fallback_source} (no file {path})"
        return AppliedParams(fallback, {}, where)
    default, channels = load_params_file(path)
    if default.bucket_ms % 1000:
        raise ParamsFileError(f"{path}: default: bucket_ms must be whole seconds (the job's SQL "
                              f"window), not {default.bucket_ms}")
    notes = []
    for channel, params in channels.items():
        if params.bucket_ms != default.bucket_ms:
            try:
                channels[channel] = replace(params, bucket_ms=default.bucket_ms)
            except ValueError as error:
                raise ParamsFileError(f"{path}: channels.{channel}: with the job's "
                                      f"{default.bucket_ms} ms windows, {error}") from None
            notes.append(f"channel {channel}: bucket_ms {params.bucket_ms} in the file; the job "
                         f"has one window length and uses {default.bucket_ms}")
    return AppliedParams(default, channels, str(path), tuple(notes))
