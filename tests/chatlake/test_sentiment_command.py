"""`chatlake sentiment`: scores lines; the evaluation names bad input and exits non-zero."""

from pathlib import Path

from typer.testing import CliRunner

from chatlake.cli import app


def test_score_prints_score_and_label_per_line() -> None:
    result = CliRunner().invoke(app, ["sentiment", "score", "KEKW", "Sadge", "xyzzy"])
    assert result.exit_code == 0
    labels = [line.split("\t")[1] for line in result.output.splitlines()]
    assert labels == ["+1", "-1", "+0"]


def test_evaluate_command_names_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sentiment", "evaluate", "--labelled",
                                      str(tmp_path / "absent.csv")])
    assert result.exit_code == 1
    assert "labelled sentiment set not found" in result.output


def test_evaluate_command_rejects_unknown_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sentiment,message\n1,KEKW\n5,what\n")
    result = CliRunner().invoke(app, ["sentiment", "evaluate", "--labelled", str(bad)])
    assert result.exit_code == 1
    assert "other than -1, 0 or 1" in result.output
