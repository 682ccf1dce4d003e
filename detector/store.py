"""Sweep results into PostgreSQL (`tuning_runs`, `tuning_results`, migration 0005), and what
the chosen set does on each video (`tuning_videos`, migration 0009) for the backtest plot.

A run id is chosen by the caller (the Dagster run id, or a time); writing the same run id again
replaces that run's rows, so a retried step never doubles them. Only the best `keep` rows by
train F1 are stored (plus the chosen one): thousands of losing rows help nobody in a UI.
"""

import json
import math

import psycopg

from detector.backtest import Backtest, Result
from detector.search import SweepRow


def _n(value: float) -> float | None:
    return None if value is None or math.isnan(value) else value


def record_sweep(dsn: str, run_id: str, rows: list[SweepRow], chosen: SweepRow, source: str,
                 labels: str, train: str | None, test: str | None, keep: int = 200) -> int:
    ordered = sorted(rows, key=lambda r: -r.train.f1)
    chosen_rank = next(i for i, r in enumerate(ordered, 1) if r is chosen)
    kept = [(i, r) for i, r in enumerate(ordered, 1) if i <= keep or r is chosen]
    with psycopg.connect(dsn) as conn, conn.transaction():
        conn.execute("delete from tuning_runs where run_id = %s", (run_id,))
        conn.execute(
            "insert into tuning_runs (run_id, source, labels, train_split, test_split, "
            "parameter_sets, chosen_rank) values (%s, %s, %s, %s, %s, %s, %s)",
            (run_id, source, labels, train, test, len(rows), chosen_rank))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into tuning_results values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s)",
                [(run_id, rank, json.dumps(r.params.as_dict()), r.params.is_contract,
                  r is chosen, _n(r.train.precision), _n(r.train.recall), r.train.f1,
                  r.train.detections, _n(r.train.per_hour),
                  _n(r.test.precision) if r.test else None,
                  _n(r.test.recall) if r.test else None, r.test.f1 if r.test else None,
                  r.test.detections if r.test else None,
                  _n(r.test.per_hour) if r.test else None) for rank, r in kept])
    return len(kept)


def record_videos(dsn: str, run_id: str, backtest: Backtest, result: Result) -> int:
    """Per scored video of `result` (the chosen set's run): its chat rate, labels and
    detections. Replaces the run's earlier rows; returns how many videos were written."""
    series = backtest.windows.get(result.params.detector.bucket_ms)
    rows = []
    for video in result.videos:
        mine = series.video == series.video_ids.index(video)
        labels = [[float(start), float(end)] for start, end in backtest.labels.intervals[video]]
        rows.append((run_id, video, result.splits.get(video), series.bucket_ms / 1000,
                     series.end_s[mine].astype(float).tolist(),
                     series.counts["messages"][mine].astype(int).tolist(), json.dumps(labels),
                     result.detections_of(video).astype(float).tolist()))
    with psycopg.connect(dsn) as conn, conn.transaction():
        conn.execute("delete from tuning_videos where run_id = %s", (run_id,))
        with conn.cursor() as cur:
            cur.executemany("insert into tuning_videos values (%s, %s, %s, %s, %s, %s, %s, %s)",
                            rows)
    return len(rows)
