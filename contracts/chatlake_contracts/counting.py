"""Which chat messages count toward a detector window: the one rule that the PyFlink job, its
Python reference, the backtest engine and the benchmarks share.

A message counts when it names a channel (1-256 characters), has an epoch-ms timestamp between
2005 and 2100, has a text, and that text is not a command (starts with `!`). The SQL forms are
generated from the same constants for DuckDB (reference, backtest) and Flink SQL (the job), so
the rule is written once; `usable` is everything but the command filter, because the job sends
unusable rows to the dead-letter topic and silently drops commands.
"""

from chatlake_contracts._checks import MAX_STRING_LENGTH, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS

COMMAND_PREFIX = "!"


def counts(broadcaster_id: str | None, timestamp_ms: int | None, text: str | None) -> bool:
    """The rule for one message, in Python."""
    return (isinstance(broadcaster_id, str) and 1 <= len(broadcaster_id) <= MAX_STRING_LENGTH
            and isinstance(timestamp_ms, int) and not isinstance(timestamp_ms, bool)
            and MIN_TIMESTAMP_MS <= timestamp_ms < MAX_TIMESTAMP_MS
            and isinstance(text, str) and not text.startswith(COMMAND_PREFIX))


def duckdb_usable(channel: str, timestamp_ms: str, text: str) -> str:
    """DuckDB predicate: the row is a usable chat message (command or not)."""
    return (f"{channel} is not null and length({channel}) between 1 and {MAX_STRING_LENGTH} "
            f"and {timestamp_ms} >= {MIN_TIMESTAMP_MS} and {timestamp_ms} < {MAX_TIMESTAMP_MS} "
            f"and {text} is not null")


def duckdb_counts(channel: str, timestamp_ms: str, text: str) -> str:
    """DuckDB predicate: the message counts."""
    return (f"{duckdb_usable(channel, timestamp_ms, text)} "
            f"and not starts_with({text}, '{COMMAND_PREFIX}')")


def flink_usable(channel: str, timestamp_ms: str, text: str) -> str:
    """Flink SQL predicate: the row is a usable chat message (command or not)."""
    return (f"{channel} IS NOT NULL AND CHAR_LENGTH({channel}) BETWEEN 1 AND {MAX_STRING_LENGTH} "
            f"AND {timestamp_ms} >= {MIN_TIMESTAMP_MS} AND {timestamp_ms} < {MAX_TIMESTAMP_MS} "
            f"AND {text} IS NOT NULL")


def flink_not_command(text: str) -> str:
    """Flink SQL predicate: the text is not a command."""
    return f"SUBSTRING({text} FROM 1 FOR 1) <> '{COMMAND_PREFIX}'"
