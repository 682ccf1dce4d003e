"""Honest selection: grouped folds keep a channel on one side, `chatlake tune --datasets`
compares seed, rate-only and learned on Dota 2 (cross-validated), lirik and kappa, and what it
applies is what `backtest --params-file` and the shipped preset score. Only figures are
printed, never chat."""

import json
import math

import pytest
from chatlake_contracts import presets
from chatlake_contracts.params_file import load_params_file
from typer.testing import CliRunner

from chatlake.cli import app
from detector.crossval import METHODS, grouped_folds

runner = CliRunner()


def test_grouped_folds_keep_each_group_on_one_side():
    videos = [f"v{i}" for i in range(12)]
    groups = {"v0": "chan", "v1": "chan", "v2": "chan", "v3": "other", "v4": "other"}
    folds = grouped_folds(videos, groups, 5)
    assert len(folds) == 5
    assert sorted(v for f in folds for v in f.test) == sorted(videos)  # each video tested once
    for fold in folds:
        assert not set(fold.train) & set(fold.test)
        for group in ("chan", "other"):
            members = {v for v, g in groups.items() if g == group}
            assert members <= set(fold.test) or not members & set(fold.test)
    with pytest.raises(ValueError, match="at least 2 groups"):
        grouped_folds(["a", "b"], {"a": "g", "b": "g"}, 5)


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
def test_tune_datasets_reports_three_methods_on_three_datasets_and_applies_the_learned_set(
        shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("CHATLAKE_STATE_DIR", str(tmp_path / "state"))
    report = _json("tune", "--datasets", str(shared_data), "--apply")
    assert report["fit_on"] == "dota2" and report["folds"] == 5
    assert set(report["methods"]) == set(METHODS)
    for method, figures in report["methods"].items():
        dota = figures["dota2"]
        assert len(dota["folds"]) == 5
        # The held-out folds partition the videos: their counts add up to the pooled ones.
        assert sum(f["intervals"] for f in dota["folds"]) == dota["intervals"] == 718, method
        assert sum(f["detections"] for f in dota["folds"]) == dota["detections"], method
        assert figures["lirik"]["intervals"] == 31 and figures["kappa"]["intervals"] == 31
    for dataset, gain in report["learned_minus_seed"].items():
        seed = report["methods"]["seed"][dataset]["f1"]
        assert math.isclose(gain["f1"], report["methods"]["learned"][dataset]["f1"] - seed,
                            abs_tol=1e-5)
    # The seed is nothing chosen: its Dota 2 figures are the known full-data ones.
    assert report["methods"]["seed"]["dota2"]["detections"] == 523

    applied = tmp_path / "state" / "detector" / "params.json"
    assert report["applied_to"] == str(applied)
    default, _ = load_params_file(applied)
    assert default.model is not None and default.model.features
    # The applied set scores, through backtest --params-file, what tune reported for it.
    lirik = shared_data / "vod" / "lirik"
    chat = [str(lirik / "lirik_389178879.chat.json.gz"), "--clips",
            str(lirik / "lirik_389178879.clips.csv")]
    scored = _json("backtest", *chat, "--params-file", str(applied))
    assert scored["params_from"] == str(applied)
    assert scored["f1"] == report["methods"]["learned"]["lirik"]["f1"]
    # The shipped preset was fitted the same way on the same videos: same model, same figures.
    assert default.model.coef == pytest.approx(presets.DEFAULT_MODEL.coef, rel=1e-6)
    shipped = _json("backtest", *chat, "--preset", "learned")
    assert shipped["detections"] == scored["detections"]
