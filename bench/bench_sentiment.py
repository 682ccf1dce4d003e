"""Sentiment scoring rate: chatlake's vectorised scorer against VADER's per-message loop.

    uv run python bench/bench_sentiment.py [--messages 1000000] [--vader-messages 20000]

Scores real chat (the lirik VOD's live messages, repeated to --messages) with
`warehouse.sentiment.scorer.score_messages` in one call, then plain VADER one message at a time
on the first --vader-messages of the same texts (its only interface), and prints both rates and
their ratio. Needs ../shared/data (or $CHATLAKE_SHARED_DATA); prints no message text.
"""

import argparse
import gzip
import json
import sys
import time

import duckdb
import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.support import shared_data_dir
from warehouse.sentiment.duckdb_function import register_sentiment_function
from warehouse.sentiment.lexicon import load_lexicon
from warehouse.sentiment.scorer import score_messages


def lirik_texts() -> list[str]:
    path = shared_data_dir() / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    if not path.is_file():
        sys.exit(f"no lirik chat at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as file:
        comments = json.load(file)["comments"]
    return [c["message"]["body"] for c in comments if c.get("source", "chat") == "chat"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--vader-messages", type=int, default=20_000)
    args = parser.parse_args()
    texts = lirik_texts()
    repeated = (texts * (args.messages // len(texts) + 1))[: args.messages]
    series = pl.Series("text", repeated, dtype=pl.String)
    load_lexicon()  # built once per process; not part of the rate
    score_messages(series.head(1000))  # warm-up

    started = time.perf_counter()
    scored = score_messages(series)
    ours_s = time.perf_counter() - started
    ours_rate = len(series) / ours_s

    # The marts' path: DuckDB hands chat_sentiment() 2,048 messages at a time.
    con = duckdb.connect()
    register_sentiment_function(con)
    con.register("messages_view", pl.DataFrame({"text": series}).to_arrow())
    con.execute("create table messages as select * from messages_view")
    con.execute("set enable_progress_bar = false")
    started = time.perf_counter()
    con.execute("select count(*), avg(s.score) from "
                "(select chat_sentiment(text) as s from messages)").fetchall()
    duckdb_s = time.perf_counter() - started
    duckdb_rate = len(series) / duckdb_s
    con.close()

    analyzer = SentimentIntensityAnalyzer()
    sample = repeated[: args.vader_messages]
    started = time.perf_counter()
    for text in sample:
        analyzer.polarity_scores(text)
    vader_s = time.perf_counter() - started
    vader_rate = len(sample) / vader_s

    labels = scored["sentiment_label"].value_counts().sort("sentiment_label")
    print(f"distinct real messages: {len(texts):,}, scored: {len(series):,}")
    print(f"labels (-1/0/1): {dict(labels.iter_rows())}")
    print(f"chatlake scorer: {ours_s:.2f} s, {ours_rate:,.0f} messages/s")
    print(f"in DuckDB (chat_sentiment(), as the marts run it): {duckdb_s:.2f} s, "
          f"{duckdb_rate:,.0f} messages/s")
    print(f"VADER loop:      {vader_s:.2f} s for {len(sample):,}, {vader_rate:,.0f} messages/s")
    print(f"ratio (chatlake / VADER): {ours_rate / vader_rate:.1f}x, in DuckDB "
          f"{duckdb_rate / vader_rate:.1f}x; "
          f"target >= 100,000 messages/s: {'met' if ours_rate >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
