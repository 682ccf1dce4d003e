"""`chatlake backtest` and `chatlake tune`: replay history through the detector and score it.

    chatlake backtest FILES... --labels labels.csv [--start ISO] [--k 2,3,4 ...] [--json]
    chatlake backtest FILE --clips clips.csv --min-views 10 --plot out.html
    chatlake backtest --lake --channel lirik --since ... --labels ...
    chatlake tune FILES... --labels labels.csv [--apply]

Every problem with the input (a label file missing a column, inverted intervals, chat of a
video without labels, labels of videos not in the chat) is a one-line error and exit status 2.
"""

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from chatlake_contracts import presets
from pydantic import ValidationError
from rich.console import Console

from chatlake.commands.options import iso_time
from core.settings import Settings
from detector.backtest import Backtest
from detector.chat import (
    REPLAY_EPOCH_MS,
    ChatInput,
    ChatInputError,
    from_files,
    from_lake,
)
from detector.engine import TuningParams
from detector.labels import LabelError, LabelSet, load_crowd_clips, load_labels
from detector.params_file import ParamsFileError, load_params_file, write_params_file
from detector.plot import plot_html
from detector.report import (
    comparison_table,
    describe,
    params_text,
    pooled_table,
    summary,
    sweep_table,
    video_table,
)
from detector.search import SEARCH_GRID, Grid, select, sweep
from ingest.importers import ImportFileError, ImportOptions

Files = Annotated[list[Path] | None, typer.Argument(
    help="Chat files (any importer format). Omit with --lake.")]
Labels = Annotated[Path | None, typer.Option(help="video_id,start_s,end_s[,split] CSV.")]
Clips = Annotated[Path | None, typer.Option(help="Crowd clips CSV (video_id,start_s,end_s,"
                                            "views,...) used as labels.")]
MinViews = Annotated[int, typer.Option(help="With --clips: only clips with this many views.")]
Lake = Annotated[bool, typer.Option("--lake", help="Replay a slice of the lake instead.")]
Channel = Annotated[list[str] | None, typer.Option(
    help="Files: login for files that lack it. Lake: channels (login or id) to replay.")]
Start = Annotated[str | None, typer.Option(
    help="Files: when the video began (ISO 8601); only for logs without video offsets, "
    "whose timeline then starts there (default: their first message).")]
Since = Annotated[str | None, typer.Option(help="Lake: from this time (ISO 8601).")]
Until = Annotated[str | None, typer.Option(help="Lake: before this time (ISO 8601).")]
VideoId = Annotated[str | None, typer.Option(help="Video id for files that carry none.")]
Partial = Annotated[bool, typer.Option(
    help="Score only the videos in the chat, leaving out labels of other videos.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
TrainSplit = Annotated[str, typer.Option(help="Split that selects parameters.")]
TestSplit = Annotated[str, typer.Option(help="Held-out split, reported beside it.")]
REPLAY_START = datetime.fromtimestamp(REPLAY_EPOCH_MS / 1000, UTC)


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)
    app.command("tune")(tune)


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _inputs(files, labels, clips, min_views, lake, channel, start, since, until, video_id,
            partial) -> tuple[Backtest, LabelSet]:
    if (labels is None) == (clips is None):
        raise LabelError("give exactly one of --labels and --clips")
    label_set = load_labels(labels) if labels else load_crowd_clips(clips, min_views)
    if lake:
        if files:
            raise ChatInputError("give chat files or --lake, not both")
        from warehouse.catalog import connect
        from warehouse.lake_store import LakeStore
        chat: ChatInput = from_lake(connect(LakeStore.from_settings(Settings().lake)), channel,
                                    iso_time(since, "--since"), iso_time(until, "--until"))
    else:
        if not files:
            raise ChatInputError("no chat files given (or use --lake)")
        if channel and len(channel) > 1:
            raise ChatInputError("with files, --channel names one login")
        # The replay keys channels by video and times messages by their video offset, so the
        # importer's demands for a channel and a wall-clock start get neutral defaults here.
        options = ImportOptions(channel=channel[0] if channel else "replay",
                                start=iso_time(start, "--start") or REPLAY_START)
        chat = from_files(files, options, video_id, iso_time(start, "--start"))
    return Backtest(chat, label_set, partial), label_set


def _floats(text: str, name: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise typer.BadParameter(f"{name}: {text!r} is not a comma-separated list of numbers") \
            from None
    if not values or any(math.isnan(v) for v in values):
        raise typer.BadParameter(f"{name}: give at least one number")
    return values


def _candidates(knobs: dict[str, str | None], preset: str | None, params_file: Path | None
                ) -> tuple[list[TuningParams], str]:
    """The sets to score and where they came from (ValueError/ParamsFileError when the
    options contradict each other or name something that is not there)."""
    given = [f"--{name.replace('_', '-')}" for name, value in knobs.items() if value is not None]
    if sum(map(bool, (given, preset, params_file))) > 1:
        raise ValueError("give rule options, --preset or --params-file, not more than one of "
                         "them")
    if given:
        seed = {"bucket": "5", "baseline": "300", "k": "3", "cooldown": "30", "min_count": "5",
                "signal": "messages", "baseline_kind": "meanstd", "smooth": "1",
                "min_ratio": "0"}
        v = {name: value if value is not None else seed[name] for name, value in knobs.items()}
        grid = Grid(_floats(v["bucket"], "--bucket"), _floats(v["baseline"], "--baseline"),
                    _floats(v["k"], "--k"), _floats(v["cooldown"], "--cooldown"),
                    tuple(int(x) for x in _floats(v["min_count"], "--min-count")),
                    tuple(v["signal"].split(",")), tuple(v["baseline_kind"].split(",")),
                    (None,), tuple(int(x) for x in _floats(v["smooth"], "--smooth")),
                    _floats(v["min_ratio"], "--min-ratio"))
        candidates = list(grid)
        if not candidates:
            raise ValueError("no valid parameter set: the baseline must be a whole number of "
                             "windows")
        return candidates, f"options {' '.join(given)}"
    if params_file is not None:
        if not params_file.exists():
            raise ParamsFileError(f"--params-file {params_file}: no such file")
        return [TuningParams.of(load_params_file(params_file)[0])], str(params_file)
    if preset is not None:
        return [TuningParams.of(presets.preset(preset))], f"preset {preset}"
    settings = Settings()
    applied = settings.detector.params_file
    if applied is not None and applied.exists():
        return [TuningParams.of(load_params_file(applied)[0])], f"applied {applied}"
    name = settings.detector.preset
    return [TuningParams.of(presets.preset(name))], f"preset {name} (CHATLAKE_DETECTOR_PRESET)"


def backtest(
    files: Files = None, labels: Labels = None, clips: Clips = None, min_views: MinViews = 10,
    lake: Lake = False, channel: Channel = None, start: Start = None, since: Since = None,
    until: Until = None, video_id: VideoId = None, partial: Partial = False,
    bucket: Annotated[str | None, typer.Option(help="Window length, s (comma list: a grid). "
                                               "Any of these rule options: the rule detector, "
                                               "the seed's values for those not given.")] = None,
    baseline: Annotated[str | None, typer.Option(help="Baseline length, s.")] = None,
    k: Annotated[str | None, typer.Option(help="Fire above mean + k * std.")] = None,
    cooldown: Annotated[str | None, typer.Option(help="Cooldown, s.")] = None,
    min_count: Annotated[str | None, typer.Option(help="Minimum window count to fire.")] = None,
    signal: Annotated[str | None, typer.Option(help="messages, chatters or emote_only.")] = None,
    baseline_kind: Annotated[str | None, typer.Option(help="meanstd, median_mad or ewma.")] = None,
    smooth: Annotated[str | None, typer.Option(help="Sum of the last N windows.")] = None,
    min_ratio: Annotated[str | None, typer.Option(help="Also need count >= ratio * mean.")] = None,
    preset: Annotated[str | None, typer.Option(help="A named set: seed or learned (the shipped "
                                               "model).")] = None,
    params_file: Annotated[Path | None, typer.Option(
        help="Score this params file's default set (e.g. what `tune --apply` wrote).")] = None,
    train_split: TrainSplit = "train", test_split: TestSplit = "test",
    plot: Annotated[Path | None, typer.Option(help="Write an HTML plot of one video.")] = None,
    plot_video: Annotated[str | None, typer.Option(help="Video to plot (default: the one "
                                                   "with the most labels).")] = None,
    as_json: AsJson = False,
) -> None:
    """Score detector parameters against labels: the rule options (one set, or a grid of comma
    lists), a preset, a params file, or else what the detector job would run (the applied
    params file when it exists, else the CHATLAKE_DETECTOR_PRESET)."""
    console = Console(stderr=as_json)
    knobs = {"bucket": bucket, "baseline": baseline, "k": k, "cooldown": cooldown,
             "min_count": min_count, "signal": signal, "baseline_kind": baseline_kind,
             "smooth": smooth, "min_ratio": min_ratio}
    try:
        candidates, source = _candidates(knobs, preset, params_file)
        bt, label_set = _inputs(files, labels, clips, min_views, lake, channel, start, since,
                                until, video_id, partial)
        has_split = train_split in label_set.split_names()
        if len(candidates) == 1:
            rows, chosen = None, candidates[0]
        else:
            rows = sweep(bt, candidates, train_split if has_split else None,
                         test_split if has_split else None)
            chosen = select(rows).params
        result = bt.run(chosen)
    except ValidationError:
        raise  # a bad CHATLAKE_* setting: chatlake.cli says which, on one line
    except (LabelError, ChatInputError, ImportFileError, ParamsFileError, ValueError) as error:
        raise _fail(console, str(error)) from None
    extra = {"parameter_sets": len(candidates), "params_from": source,
             "bad_lines": bt.chat.bad_lines,
             "vod_comments_dropped": bt.chat.vod_comments_dropped}
    if plot:
        _write_plot(bt, result, plot, plot_video, label_set, console)
        extra["plot"] = str(plot)
    if as_json:
        print(json.dumps(summary(result, label_set.source, extra), indent=2))
        return
    console.print(f"{bt.chat.description}, {len(bt.videos)} video(s), labels: "
                  f"{label_set.source} ({label_set.interval_count()} intervals, "
                  f"{label_set.duplicates_dropped} duplicate rows counted once)")
    if rows:
        console.print(sweep_table(rows, train_split if has_split else "all",
                                  test_split if has_split else None))
        console.print(f"chosen on {train_split if has_split else 'all videos'}: ", end="")
    console.print(params_text(result))
    if len(result.videos) <= 80:
        console.print(video_table(result))
    console.print(pooled_table(result))
    if plot:
        console.print(f"plot: {plot}")


def _write_plot(bt: Backtest, result, path: Path, video: str | None, labels: LabelSet,
                console: Console) -> None:
    video = video or max(result.videos, key=lambda v: len(labels.intervals[v]))
    if video not in result.videos:
        raise _fail(console, f"--plot-video {video} is not among the scored videos")
    series = bt.windows.get(result.params.detector.bucket_ms)
    path.write_text(plot_html(result, series, video, labels.intervals[video],
                              f"chatlake backtest: video {video}"), encoding="utf-8")


def tune(
    files: Files = None, labels: Labels = None, clips: Clips = None, min_views: MinViews = 10,
    lake: Lake = False, channel: Channel = None, start: Start = None, since: Since = None,
    until: Until = None, video_id: VideoId = None, partial: Partial = False,
    train_split: TrainSplit = "train", test_split: TestSplit = "test",
    min_precision: Annotated[float, typer.Option(
        help="Selection: best train F1 among sets with at least this train precision.")] = 0.55,
    apply: Annotated[bool, typer.Option(
        help="Write the best set the running detector can use to the params file.")] = False,
    apply_channel: Annotated[str | None, typer.Option(
        help="With --apply: for this broadcaster id only (default: the default set).")] = None,
    datasets: Annotated[Path | None, typer.Option(
        help="A labelled-data folder laid out as ../shared/data: compare the seed, the best "
        "rate-only set and the learned scorer by grouped cross-validation on its Dota 2 "
        "videos, then on lirik and kappa (never fitted on). With --apply: the learned set.")
    ] = None,
    folds: Annotated[int, typer.Option(help="With --datasets: cross-validation folds.")] = 5,
    as_json: AsJson = False,
) -> None:
    """Search the default grid, select on the train split only, report the test split; or,
    with --datasets, fit and compare the detectors honestly across datasets."""
    console = Console(stderr=as_json)
    if datasets is not None:
        if files or labels or clips or lake:
            raise _fail(console, "--datasets brings its own chat and labels: give no chat "
                        "files, --labels, --clips or --lake with it")
        _tune_datasets(console, datasets, folds, min_precision, apply, apply_channel, as_json)
        return
    try:
        bt, label_set = _inputs(files, labels, clips, min_views, lake, channel, start, since,
                                until, video_id, partial)
        if train_split not in label_set.split_names():
            raise LabelError(f"{label_set.source} has no '{train_split}' split to select on "
                             "(use `backtest` with explicit parameters instead)")
        rows = sweep(bt, SEARCH_GRID, train_split, test_split)
        best = select(rows, min_precision)
        applicable = select(rows, min_precision, contract_only=True)
    except (LabelError, ChatInputError, ImportFileError, ValueError) as error:
        raise _fail(console, str(error)) from None
    report = {
        **best.test.as_dict(),
        "selected_on": train_split, "reported_on": test_split, "parameter_sets": len(rows),
        "best": {"params": best.params.as_dict(), train_split: best.train.as_dict(),
                 test_split: best.test.as_dict()},
        "best_applicable": {"params": applicable.params.as_dict(),
                            train_split: applicable.train.as_dict(),
                            test_split: applicable.test.as_dict()},
    }
    if apply:
        d = applicable.params.applied()
        tuning = {"labels": label_set.source, "selected_on": train_split,
                  train_split: applicable.train.as_dict(), test_split: applicable.test.as_dict(),
                  "at": datetime.now(UTC).isoformat(timespec="seconds")}
        report["applied_to"] = _apply(console, d, apply_channel, tuning)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    console.print(sweep_table(rows, train_split, test_split))
    for name, row in (("best", best), ("best the running detector can apply", applicable)):
        console.print(f"[bold]{name}[/bold] (selected on {train_split}): "
                      f"{params_text(bt.run(row.params))}")
        console.print(pooled_table(bt.run(row.params)))
    if apply:
        console.print(f"applied to {report['applied_to']} (restart the detector to use it)")


def _apply(console: Console, params, channel: str | None, tuning: dict) -> str:
    """Write `params` as the default (or `channel`'s) set of the params file; its path."""
    try:  # an existing file is merged into, so it must be readable
        path = write_params_file(Settings().detector.params_file, None if channel else params,
                                 {channel: params} if channel else None, tuning)
    except ParamsFileError as error:
        raise _fail(console, str(error)) from None
    return str(path)


def _tune_datasets(console: Console, folder: Path, folds: int, min_precision: float,
                   apply: bool, apply_channel: str | None, as_json: bool) -> None:
    from detector import crossval
    from detector import datasets as labelled

    try:
        loaded = labelled.load(folder)
        version = f"learned-{datetime.now(UTC):%Y%m%d}-{labelled.FIT_ON}-{folds}fold"
        comparison = crossval.compare(loaded, folds, min_precision, version=version)
    except (LabelError, ChatInputError, ImportFileError, ValueError) as error:
        raise _fail(console, str(error)) from None
    report = {**comparison.as_dict(),
              "learned_minus_seed": crossval.gain(comparison, "learned"),
              "learned_minus_rate": crossval.gain(comparison, "rate")}
    if apply:
        chosen = comparison.final["learned"].applied()
        tuning = {"labels": str(folder), "fitted_on": labelled.FIT_ON,
                  "cross_validated": comparison.cross_validated["learned"].pooled.as_dict(),
                  "at": datetime.now(UTC).isoformat(timespec="seconds")}
        report["applied_to"] = _apply(console, chosen, apply_channel, tuning)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    console.print(comparison_table(comparison))
    for method, params in comparison.final.items():
        console.print(f"[bold]{method}[/bold]: {describe(params)}")
    if apply:
        console.print(f"applied to {report['applied_to']} (restart the detector to use it)")
