"""What a backtest prints: a table for people, a JSON summary for programs.

The JSON's top-level `precision`, `recall`, `f1` and `detections` are the pooled figures over
every scored video (of the chosen parameter set when several were run); per split and per video
figures sit beside them. Undefined figures (no detections -> no precision) are null, never 0.
"""

import math

from rich.table import Table

from detector.backtest import Result
from detector.scoring import Score


def fmt(value: float, digits: int = 3) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def summary(result: Result, labels_source: str, extra: dict | None = None) -> dict:
    pooled = result.pooled()
    splits = sorted(set(result.splits.get(v, "") for v in result.videos) - {""})
    return {
        **pooled.as_dict(),
        "params": result.params.as_dict(),
        "applicable_to_detector": result.params.is_contract,
        "labels": labels_source,
        "videos": len(result.videos),
        "splits": {s: result.pooled(s).as_dict() for s in splits},
        # detections_s (window ends, video seconds): what `chatlake clips from-vod` clips.
        "per_video": {v: {"split": result.splits.get(v), **s.as_dict(),
                          "detections_s": result.detections_of(v).tolist()}
                      for v, s in zip(result.videos, result.per_video, strict=True)},
        **(extra or {}),
    }


def _score_cells(score: Score) -> list[str]:
    return [str(score.detections), fmt(score.precision), fmt(score.recall), fmt(score.f1),
            fmt(score.per_hour, 1), f"{score.intervals_hit}/{score.intervals}"]


def _compact_cells(score: Score) -> list[str]:
    return [fmt(score.precision), fmt(score.recall), fmt(score.f1), fmt(score.per_hour, 1)]


_SCORE_COLUMNS = ("detections", "precision", "recall", "F1", "det/h", "hit/labels")


def video_table(result: Result) -> Table:
    table = Table(title="per video", title_justify="left")
    for name in ("video", "split", "hours", *_SCORE_COLUMNS):
        table.add_column(name, justify="left" if name in ("video", "split") else "right")
    for video, score in zip(result.videos, result.per_video, strict=True):
        table.add_row(video, result.splits.get(video, ""), f"{score.hours:.2f}",
                      *_score_cells(score))
    return table


def pooled_table(result: Result) -> Table:
    table = Table(title="pooled", title_justify="left")
    for name in ("videos", *_SCORE_COLUMNS):
        table.add_column(name, justify="left" if name == "videos" else "right")
    splits = sorted(set(result.splits.get(v, "") for v in result.videos) - {""})
    for split in splits:
        count = sum(1 for v in result.videos if result.splits.get(v) == split)
        table.add_row(f"{split} ({count})", *_score_cells(result.pooled(split)))
    table.add_row(f"all ({len(result.videos)})", *_score_cells(result.pooled()))
    return table


def params_text(result: Result) -> str:
    return describe(result.params)


def describe(params) -> str:
    """One line for a TuningParams."""
    p = params.as_dict()
    if "model" in p:
        return (f"bucket {p['bucket_s']:g} s, baseline {p['baseline_s']:g} s, learned model "
                f"{p['model']} above {p['threshold']:g}, peak within {p['peak_wait']} windows, "
                f"cooldown {p['cooldown_s']:g} s, min count {p['min_count']}")
    text = (f"bucket {p['bucket_s']:g} s, baseline {p['baseline_s']:g} s, k {p['k']:g}, "
            f"cooldown {p['cooldown_s']:g} s, min count {p['min_count']}")
    if not _is_plain(params):
        text += (f", signal {p['signal']}, baseline {p['baseline']}, smooth {p['smooth']}, "
                 f"min ratio {p['min_ratio']:g}")
    if not params.is_contract:
        text += " (not applicable to the running detector)"
    return text


def _is_plain(params) -> bool:
    """The seed detector's family: message counts against mean/std, one window, no ratio."""
    return (params.signal == "messages" and params.baseline == "meanstd" and params.smooth == 1
            and params.min_ratio == 0)


def sweep_table(rows: list, train: str, test: str | None, limit: int = 15) -> Table:
    """Top rows of a sweep by train F1 (rows: search.SweepRow)."""
    table = Table(title=f"best {min(limit, len(rows))} of {len(rows)} by {train} F1",
                  title_justify="left")
    table.add_column("parameters")
    for split in (train, test) if test else (train,):
        for name in ("P", "R", "F1", "det/h"):
            table.add_column(f"{split} {name}", justify="right")
    ordered = sorted(rows, key=lambda r: -r.train.f1)[:limit]
    for row in ordered:
        p = row.params.as_dict()
        name = (f"{p['bucket_s']:g}s/{p['baseline_s']:g}s k{p['k']:g} cd{p['cooldown_s']:g} "
                f"min{p['min_count']}")
        if not _is_plain(row.params):
            name += f" {p['signal']}/{p['baseline']}/x{p['smooth']}/r{p['min_ratio']:g}"
        cells = []
        for score in (row.train, row.test) if test else (row.train,):
            cells += [fmt(score.precision), fmt(score.recall), fmt(score.f1),
                      fmt(score.per_hour, 1)]
        table.add_row(name, *cells)
    return table


def comparison_table(comparison) -> Table:
    """The methods side by side (crossval.Comparison): on the fitting dataset its held-out
    folds pooled, with the folds' F1 mean and spread; on each check dataset the set chosen on
    all of the fitting dataset."""
    fit_on = comparison.fit_on
    table = Table(title=f"{fit_on}: {comparison.folds}-fold grouped cross-validation; checks: "
                  f"the set chosen on all of {fit_on}", title_justify="left")
    for name in ("dataset", "method", "P", "R", "F1", "det/h", "fold F1"):
        table.add_column(name, justify="left" if name in ("dataset", "method") else "right")
    for method, cv in comparison.cross_validated.items():
        mean, sd = cv.f1_spread()
        table.add_row(f"{fit_on} (CV)", method, *_compact_cells(cv.pooled),
                      f"{fmt(mean)} ± {fmt(sd)}")
    for dataset in next(iter(comparison.checks.values()), {}):
        for method, scores in comparison.checks.items():
            table.add_row(dataset, method, *_compact_cells(scores[dataset]), "")
    return table
