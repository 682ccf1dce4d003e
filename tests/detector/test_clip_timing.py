"""The chat-lag measurement recovers a planted lag, and gives plausible figures on real labels."""

import gzip
import json
from datetime import UTC, datetime

import numpy as np
import pytest

from detector.chat import from_files
from detector.clip_timing import measure, peak_lags
from detector.labels import LabelSet, load_crowd_clips, load_labels
from ingest.importers import ImportOptions

OPTIONS = ImportOptions(channel="replay", start=datetime(2020, 1, 1, tzinfo=UTC))


def planted(seed: int = 7, labels: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steady random chat over 2 h, labels 150 s apart, each followed by a 5-s burst of 30
    messages `lag` seconds after its start. Returns (message times, label starts, lags)."""
    rng = np.random.default_rng(seed)
    background = rng.uniform(0, 7200, 3600)
    starts = 100.0 + 150.0 * np.arange(labels)
    lags = rng.choice([8.0, 14.0, 22.0, 31.0, 44.0], size=labels)
    bursts = (starts + lags)[:, None] + rng.uniform(0, 5, (labels, 30))
    return np.concatenate([background, bursts.ravel()]), starts, lags


def test_each_planted_lag_is_recovered_to_the_bucket():
    times, starts, lags = planted()
    intervals = {"v": np.column_stack([starts, starts + 15])}
    summary = peak_lags({"v": times}, intervals, bucket_s=5.0, window_s=60.0)
    assert summary.count == len(starts) and summary.labels_without_chat == 0
    # A burst over [lag, lag + 5) s after the label's start straddles at most two buckets:
    # the busier one's centre is within one bucket of the burst's middle, lag + 2.5.
    assert np.all(np.abs(summary.lags_s - (lags + 2.5)) <= 5.0), summary.lags_s - lags
    assert summary.quantiles()[1] == pytest.approx(np.median(lags) + 2.5, abs=5.0)


def test_a_window_shorter_than_the_lag_misses_it_and_no_chat_is_counted():
    times, starts, lags = planted()
    intervals = {"v": np.column_stack([starts, starts + 15]),
                 "silent": np.array([[10.0, 20.0]])}
    summary = peak_lags({"v": times}, intervals, bucket_s=5.0, window_s=30.0)
    assert summary.labels_without_chat == 1
    inside = lags < 30 - 5
    assert np.all(np.abs(summary.lags_s[inside] - (lags[inside] + 2.5)) <= 5.0)
    with pytest.raises(ValueError, match="bucket_s"):
        peak_lags({}, intervals, bucket_s=5.0, window_s=2.0)


def test_measured_from_a_chat_file_with_commands_left_out(tmp_path):
    times, starts, lags = planted(seed=3, labels=12)
    texts = ["gg"] * len(times)
    # A louder burst of commands right at each label's start: the detector ignores commands,
    # so the measurement must too.
    command_times = (starts[:, None] + np.linspace(0, 4, 60)).ravel()
    rows = sorted(zip(np.concatenate([times, command_times]).tolist(),
                      texts + ["!bet"] * len(command_times), strict=True))
    comments = [{"_id": f"m{i}", "created_at": None, "content_offset_seconds": t,
                 "commenter": {"display_name": f"u{i % 11}", "name": f"u{i % 11}"},
                 "message": {"body": text}} for i, (t, text) in enumerate(rows)]
    path = tmp_path / "planted.chat.json.gz"
    path.write_bytes(gzip.compress(json.dumps({
        "streamer": None, "video": {"id": "planted", "created_at": None},
        "comments": comments}).encode()))
    labels = LabelSet("planted", {"planted": np.column_stack([starts, starts + 15])})
    summary = measure(from_files([path], OPTIONS), labels)
    assert summary.count == len(starts)
    assert np.all(np.abs(summary.lags_s - (lags + 2.5)) <= 5.0)


def test_real_labels_lag_the_chat_peak_by_seconds_not_minutes(shared_data):
    dota = shared_data / "highlights" / "dota2"
    summary = measure(from_files(sorted(dota.glob("*.chat.json.gz")), OPTIONS),
                      load_labels(dota / "labels.csv"))
    q1, median, q3 = summary.quantiles()
    assert summary.count >= 700  # 718 distinct intervals, one without chat after it
    assert 10 <= q1 <= median <= q3 <= 50 and 15 <= median <= 35, (q1, median, q3)

    lirik = shared_data / "vod" / "lirik"
    crowd = measure(from_files([lirik / "lirik_389178879.chat.json.gz"], OPTIONS),
                    load_crowd_clips(lirik / "lirik_389178879.clips.csv", 10))
    assert crowd.count == 31 and 5 <= crowd.quantiles()[1] <= 30
