"""`chatlake sentiment`: score chat lines, and evaluate the scorer against a labelled set."""

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from warehouse.sentiment.evaluation import evaluate, results_table
from warehouse.sentiment.scorer import score_messages

DEFAULT_LABELLED = Path("../shared/data/sentiment/labeled_dataset.csv")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Emote-aware chat sentiment.", no_args_is_help=True)
    group.command("score")(score)
    group.command("evaluate")(evaluate_command)
    app.add_typer(group, name="sentiment")


def score(
    texts: Annotated[list[str], typer.Argument(help="Chat messages to score.")],
) -> None:
    """Each message's score in [-1, 1] and label (-1, 0, 1), tab-separated."""
    scored = score_messages(pl.Series(texts, dtype=pl.String))
    for text, value, label in zip(texts, scored["sentiment_score"], scored["sentiment_label"],
                                  strict=True):
        typer.echo(f"{value:+.3f}\t{label:+d}\t{text}")


def evaluate_command(
    labelled: Annotated[Path, typer.Option(
        help="A CSV with `sentiment` (-1/0/1) and `message` columns (Kobs et al. 2020; "
             "non-commercial: read to measure only).")] = DEFAULT_LABELLED,
) -> None:
    """Accuracy and macro-F1 of chatlake's scorer, plain VADER and the majority class."""
    try:
        results = evaluate(labelled)
    except (FileNotFoundError, ValueError, pl.exceptions.PolarsError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(results_table(results))
