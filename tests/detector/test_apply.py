"""`chatlake tune --apply` writes the chosen set where the detector reads it, and the detector's
code path (the reference, i.e. the job's `step`) then makes the detections the backtest
predicted for that set."""

import csv
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.params_file import load_params_file
from typer.testing import CliRunner

from chatlake.cli import app
from detector import reference as detection
from detector.backtest import Backtest
from detector.chat import REPLAY_EPOCH_MS, from_files
from detector.engine import TuningParams
from detector.labels import load_labels
from ingest.importers import ImportOptions, read_chat_file

runner = CliRunner()


def _params(reported: dict) -> TuningParams:
    """The report's parameters (seconds) as TuningParams (milliseconds)."""
    ms = {name: round(reported[f"{name}_s"] * 1000) for name in ("bucket", "baseline",
                                                                  "cooldown")}
    max_gap = reported["max_gap_s"]
    detector = DetectorParams(bucket_ms=ms["bucket"], baseline_ms=ms["baseline"],
                              k=reported["k"], cooldown_ms=ms["cooldown"],
                              min_count=reported["min_count"],
                              max_gap_ms=None if max_gap is None else round(max_gap * 1000))
    return TuningParams(detector, signal=reported["signal"], baseline=reported["baseline"],
                        smooth=reported["smooth"], min_ratio=reported["min_ratio"])


def test_tune_apply_writes_the_chosen_set_and_the_detector_runs_it(shared_data, tmp_path,
                                                                    monkeypatch):
    folder = shared_data / "highlights" / "dota2"
    with (folder / "labels.csv").open() as f:
        splits = {row["video_id"]: row["split"] for row in csv.DictReader(f)}
    by_split = Counter()
    videos = []
    for video in sorted(splits):  # the first 3 train and 5 test videos: a quick sweep
        if by_split[splits[video]] < (3 if splits[video] == "train" else 5):
            by_split[splits[video]] += 1
            videos.append(video)
    files = [folder / f"{video}.chat.json.gz" for video in videos]
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path / "state"))

    result = runner.invoke(app, ["tune", *map(str, files), "--labels",
                                 str(folder / "labels.csv"), "--partial", "--apply", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    path = tmp_path / "state" / "detector" / "params.json"
    assert report["applied_to"] == str(path)

    chosen = _params(report["best_applicable"]["params"])
    if report["best"]["params"]["signal"] != "emote_only":
        assert report["best"]["params"] == report["best_applicable"]["params"]
    default, channels = load_params_file(path)
    assert default == chosen.applied() and channels == {}

    # The detector's own code path (the reference: the job's `step`) on each video, replayed
    # on the backtest's timeline, fires at exactly the times the backtest predicted.
    options = ImportOptions(channel="dota2", start=datetime(2020, 1, 1, tzinfo=UTC))
    predicted = Backtest(from_files(files, options), load_labels(folder / "labels.csv"),
                         partial=True).run(chosen)
    fired = 0
    for video, path in zip(videos, files, strict=True):
        records = [{**r, "broadcaster_id": video,
                    "timestamp": REPLAY_EPOCH_MS + round(r["vod_offset_s"] * 1000)}
                   for r in read_chat_file(path, options)
                   if isinstance(r, dict) and not r.get("is_vod_comment")]
        windows = detection.windows_from_records(records, default.bucket_ms)
        found = [(d.window_end - REPLAY_EPOCH_MS) / 1000
                 for d in detection.detect(windows, default)]
        assert found == pytest.approx(sorted(predicted.detections_of(video).tolist())), video
        fired += len(found)
    assert fired > 10
