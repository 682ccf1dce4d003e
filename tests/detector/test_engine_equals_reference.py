"""The vectorised backtest makes exactly the detections the contract's `step` makes (through
the reference `detector.reference`) on the same messages: windows and detections."""

from dataclasses import replace

import duckdb
import pyarrow as pa
import pytest
from chatlake_contracts import window_content
from chatlake_contracts.detector import DetectorParams
from chatlake_contracts.presets import LEARNED

from detector.chat import REPLAY_EPOCH_MS, ChatInput, _register
from detector.engine import Engine, TuningParams
from detector.reference import detect, windows_from_records
from detector.windows import WindowCache
from tests.detector.support import dota2_backtest

PARAMS = [
    DetectorParams(),
    DetectorParams(min_count=0),
    DetectorParams(k=2.0, cooldown_ms=0, min_count=0),
    DetectorParams(bucket_ms=2_000, baseline_ms=60_000, k=2.5, cooldown_ms=15_000),
    DetectorParams(bucket_ms=10_000, baseline_ms=120_000, k=1.5, cooldown_ms=60_000),
    DetectorParams(baseline_ms=300_000, max_gap_ms=20_000, k=2.0),
    DetectorParams(baseline_ms=60_000, max_gap_ms=600_000, k=2.0, min_count=1),
    # The variants `chatlake tune` searches, which the running detector applies as well.
    DetectorParams(signal="chatters", k=2.5, min_count=0),
    DetectorParams(bucket_ms=2_000, baseline_ms=120_000, k=2.5, cooldown_ms=60_000,
                   min_count=0, baseline="ewma"),
    DetectorParams(baseline_ms=120_000, k=3.0, baseline="median_mad", min_ratio=1.5),
    DetectorParams(bucket_ms=2_000, baseline_ms=60_000, k=2.0, smooth=3, min_count=3,
                   max_gap_ms=20_000, baseline="ewma", signal="chatters"),
    DetectorParams(bucket_ms=1_000, baseline_ms=60_000, k=2.0, smooth=5, min_ratio=2.0,
                   baseline="median_mad"),
    # The learned scorer: the shipped default, firing at once, other windows and baselines,
    # a short gap rule without warm-up, a lower threshold.
    LEARNED,
    replace(LEARNED, peak_wait=0),
    replace(LEARNED, bucket_ms=5_000, baseline_ms=120_000, cooldown_ms=0, min_count=0),
    replace(LEARNED, max_gap_ms=20_000, warmup_ms=0, min_count=1, peak_wait=1),
    replace(LEARNED, baseline_ms=60_000, model=replace(LEARNED.model, threshold=-0.8)),
]


def _records(chat: ChatInput) -> list[dict]:
    rows = chat.con.execute("select video_id as broadcaster_id, timestamp, text, user_id, "
                            "user_name from replay_messages").fetchall()
    return [dict(zip(("broadcaster_id", "timestamp", "text", "user_id", "user_name"), r,
                     strict=True)) for r in rows]


def _engine_detections(engine: Engine, params: DetectorParams) -> list[tuple[str, int]]:
    series = engine.series(params.bucket_ms)
    family = {name: getattr(params, name) for name in ("signal", "baseline", "smooth",
                                                       "min_ratio")}
    tuning = TuningParams(params, **family)
    assert tuning.applied() == params
    fired = engine.detect(tuning)
    return [(series.video_ids[series.video[i]],
             REPLAY_EPOCH_MS + round(series.end_s[i] * 1000)) for i in fired]


def _check(chat: ChatInput) -> list[int]:
    """Detections of each parameter set, after checking engine == reference for all."""
    records = _records(chat)
    cache = WindowCache(chat)
    engine = Engine(cache.get)
    counts = []
    for params in PARAMS:
        learned = params.model is not None
        windows = windows_from_records(records, params.bucket_ms, content=learned)
        series = cache.get(params.bucket_ms)
        present = series.present
        names = ("messages", "chatters", *(window_content.CONTENT_FIELDS if learned else ()))
        columns = [series.counts[name][present].tolist() for name in names]
        mine = sorted((series.video_ids[v], REPLAY_EPOCH_MS + round(e * 1000), *counts)
                      for v, e, *counts in zip(series.video[present], series.end_s[present],
                                               *columns, strict=True))
        assert mine == sorted((w[0], *w[2:]) for w in windows), params
        expected = [(d.broadcaster_id, d.window_end) for d in detect(windows, params)]
        assert _engine_detections(engine, params) == expected, params
        counts.append(len(expected))
    return counts


def test_equal_on_dota2_chat(shared_data):
    backtest = dota2_backtest(shared_data, limit=12)
    assert min(_check(backtest.chat)) > 50  # every set fires: no comparison of empty lists


def test_equal_on_gaps_and_commands():
    # Hand-made: a burst, a 2-minute silence (short gap), a 20-minute silence (a restart),
    # commands that never count, and a second channel.
    rows = []
    for second in range(0, 1800):
        if 600 <= second < 720 or 900 <= second < 2100:
            continue
        per_second = 6 if second in range(400, 410) or second in range(1500, 1504) else 1
        for i in range(per_second):
            rows.append({"video_id": "a", "offset_ms": second * 1000 + i, "text": "hi",
                         "user_id": f"u{i}", "user_name": None, "emote_chars": 0})
        rows.append({"video_id": "a", "offset_ms": second * 1000 + 500, "text": "!cmd",
                     "user_id": "bot", "user_name": None, "emote_chars": 0})
    for second in range(0, 900, 2):
        rows.append({"video_id": "b", "offset_ms": second * 1000, "text": "x" * (second % 7),
                     "user_id": None, "user_name": f"n{second % 3}", "emote_chars": 0})
    for second in range(700, 705):
        for i in range(8):
            rows.append({"video_id": "b", "offset_ms": second * 1000 + i, "text": "Pog",
                         "user_id": None, "user_name": f"n{i}", "emote_chars": 0})
    con = duckdb.connect()
    con.register("src", pa.Table.from_pylist(rows))
    _register(con, "src")
    assert sum(_check(ChatInput(con, "hand-made"))) > 0


def test_engine_rejects_unknown_signal():
    with pytest.raises(ValueError, match="signal must be one of"):
        TuningParams(replace(DetectorParams()), signal="vibes")
