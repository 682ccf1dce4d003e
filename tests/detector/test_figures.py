"""The real labelled sets through `chatlake backtest`: the seed detector's Dota 2 figures and
lirik with crowd clips. Only scores are printed, never chat."""

import json

import pytest
from typer.testing import CliRunner

from chatlake.cli import app

runner = CliRunner()
SEED = ["--k", "3", "--baseline", "300", "--cooldown", "30", "--bucket", "5"]


def _backtest(*args: str) -> dict:
    result = runner.invoke(app, ["backtest", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _dota(shared_data) -> list[str]:
    folder = shared_data / "highlights" / "dota2"
    return [*map(str, sorted(folder.glob("*.chat.json.gz"))), "--labels",
            str(folder / "labels.csv")]


@pytest.mark.slow
def test_seed_figures_on_dota2_test_split(shared_data):
    # The seed has no minimum count: min_count 0 reproduces it exactly.
    seed = _backtest(*_dota(shared_data), *SEED, "--min-count", "0")
    test = seed["splits"]["test"]
    assert (test["detections"], test["true_positives"], test["intervals_hit"],
            test["intervals"]) == (461, 225, 226, 583)
    assert test["precision"] == pytest.approx(0.49, abs=0.005)
    assert test["recall"] == pytest.approx(0.39, abs=0.005)
    assert test["f1"] == pytest.approx(0.43, abs=0.005)
    assert {"precision", "recall", "f1", "detections"} <= set(seed)
    # The contract's default min_count 5 drops 4 weak test detections (one true positive).
    floor = _backtest(*_dota(shared_data), *SEED, "--min-count", "5")["splits"]["test"]
    assert (floor["detections"], floor["true_positives"]) == (457, 224)


def test_lirik_with_crowd_clips(shared_data, tmp_path):
    vod = shared_data / "vod" / "lirik"
    plot = tmp_path / "lirik.html"
    result = _backtest(str(vod / "lirik_389178879.chat.json.gz"), "--clips",
                       str(vod / "lirik_389178879.clips.csv"), "--min-views", "10",
                       "--plot", str(plot))
    assert result["videos"] == 1 and result["intervals"] == 31
    assert result["detections"] > 0 and 0 < result["recall"] <= 1
    assert result["vod_comments_dropped"] == 134
    page = plot.read_text()
    assert "<svg" in page and "detections" in page
