"""The message-counting rule is written once (`chatlake_contracts.counting`): its Python form,
the DuckDB SQL that the reference and the backtest run, and the Flink SQL of the job agree."""

from chatlake_contracts import counting
from chatlake_contracts._checks import MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS

from detector import reference
from detector import windows as backtest_windows

T = 1_700_000_000_000
CASES = [
    ("123", T, "hello"),             # counts
    ("123", T, "!uptime"),           # a command
    ("123", T, " !not a command"),   # counts: only a leading "!" is a command
    (None, T, "no channel"),
    ("", T, "empty channel"),
    ("x" * 257, T, "channel too long"),
    ("x" * 256, T, "channel at the limit"),
    ("123", MIN_TIMESTAMP_MS - 1, "before 2005"),
    ("123", MIN_TIMESTAMP_MS, "at 2005"),
    ("123", MAX_TIMESTAMP_MS, "at 2100"),
    ("123", T // 1000, "seconds, not ms"),
    ("123", T, None),                # no text
    ("123", T, ""),                  # an empty text still counts
]


def test_python_rule_matches_the_reference_sql():
    records = [{"broadcaster_id": c, "timestamp": ts, "text": text, "user_id": "u"}
               for c, ts, text in CASES]
    counted_by_sql = sum(w[3] for w in reference.windows_from_records(records, 5_000))
    counted_by_rule = sum(counting.counts(c, ts, text) for c, ts, text in CASES)
    assert counted_by_rule == 5
    assert counted_by_sql == counted_by_rule


def test_every_sql_form_is_generated_from_the_rule():
    assert counting.duckdb_counts("broadcaster_id", "ts", "text") in \
        reference._windows_sql("t", "timestamp", 5000)
    assert counting.duckdb_counts("video_id", "timestamp", "text") in backtest_windows.WINDOWS_SQL
    flink = counting.flink_usable("broadcaster_id", "event_ms", "text")
    assert str(MIN_TIMESTAMP_MS) in flink and str(MAX_TIMESTAMP_MS) in flink
    assert "'!'" in counting.flink_not_command("text")
