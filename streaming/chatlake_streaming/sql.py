"""The SQL half of the detector: tables and queries, as text built from the job's options.

Every message is handled here, in the JVM; Python sees only one row per channel and window.
"""

from chatlake_contracts import counting, window_content
from chatlake_contracts._checks import MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _with(options: dict[str, str]) -> str:
    return ",\n  ".join(f"{_quote(k)} = {_quote(v)}" for k, v in options.items())


CLIPS_FLUSH_MS = 200
FETCH_OPTIONS = {
    "properties.fetch.max.bytes": str(64 << 20),
    "properties.max.partition.fetch.bytes": str(16 << 20),
    "properties.max.poll.records": "10000",
}


def chat_messages_source(*, topic: str, bootstrap: str, group_id: str,
                         out_of_orderness_ms: int) -> str:
    options = {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": bootstrap,
        "properties.group.id": group_id,
        # Without a checkpoint, continue from the group's committed offsets (committed on every
        # checkpoint); a new group starts at the beginning of the topic.
        "scan.startup.mode": "group-offsets",
        "properties.auto.offset.reset": "earliest",
        # Big fetches: with the client's defaults (1 MiB a partition, 500 records a poll) a
        # backlog on Tansu is read at ~20 k messages/s, far below what the job can process.
        **FETCH_OPTIONS,
        "format": "json",
        # Bad JSON is dropped by the format (counted only by the Kafka consumer metrics); a row
        # that parses but has a field of the wrong type gets null there and is dead-lettered.
        "json.ignore-parse-errors": "true",
        "json.fail-on-missing-field": "false",
    }
    return chat_messages_table(options, out_of_orderness_ms=out_of_orderness_ms)


def chat_messages_table(options: dict[str, str], *, out_of_orderness_ms: int,
                        location: str = "`partition` INT METADATA VIRTUAL,\n"
                                        "  `offset` BIGINT METADATA VIRTUAL") -> str:
    """The `chat_messages` table the queries below read, on any connector (`options`); the
    Kafka one's `partition` and `offset` metadata locate a dead letter (tests give a file
    source plain columns instead)."""
    # Only the fields the detector reads are declared: Flink's JSON parser skips the rest.
    # An out-of-range or missing timestamp becomes 0 (1970) instead of null: the watermark takes
    # the maximum, so such rows cannot drag it anywhere, and a non-null rowtime keeps the window
    # operator from failing on them; the queries below send them to the dead letters.
    return f"""
CREATE TABLE chat_messages (
  broadcaster_id STRING,
  `timestamp` BIGINT,
  message_id STRING,
  text STRING,
  user_id STRING,
  user_name STRING,
  {location},
  event_ms AS IF(`timestamp` >= {MIN_TIMESTAMP_MS} AND `timestamp` < {MAX_TIMESTAMP_MS},
                 `timestamp`, CAST(0 AS BIGINT)),
  ts AS TO_TIMESTAMP_LTZ(IF(`timestamp` >= {MIN_TIMESTAMP_MS} AND `timestamp` < {MAX_TIMESTAMP_MS},
                            `timestamp`, CAST(0 AS BIGINT)), 3),
  WATERMARK FOR ts AS ts - INTERVAL '{out_of_orderness_ms / 1000:.3f}' SECOND
) WITH (
  {_with(options)}
)"""


def chat_windows_sink(*, topic: str, bootstrap: str) -> str:
    # The v1 `chat-windows` record (chatlake_contracts.windows), keyed by broadcaster id.
    options = {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": bootstrap,
        "key.format": "raw",
        "key.fields": "broadcaster_id",
        "value.format": "json",
        "value.fields-include": "ALL",
        "sink.delivery-guarantee": "at-least-once",
    }
    return f"""
CREATE TABLE chat_windows_sink (
  v INT,
  broadcaster_id STRING,
  window_start BIGINT,
  window_end BIGINT,
  message_count BIGINT,
  chatter_count BIGINT
) WITH (
  {_with(options)}
)"""


def dead_letters_sink(*, topic: str, bootstrap: str) -> str:
    # The v1 dead-letter record (chatlake_contracts.deadletter).
    options = {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": bootstrap,
        "format": "json",
        "sink.delivery-guarantee": "at-least-once",
    }
    return f"""
CREATE TABLE dead_letters_sink (
  v INT,
  origin STRING,
  error STRING,
  `raw` STRING,
  location STRING,
  `timestamp` BIGINT
) WITH (
  {_with(options)}
)"""


def clips_sink(*, jdbc_url: str, user: str | None, password: str | None) -> str:
    # The JDBC connector cannot write TIMESTAMP_LTZ; a TIMESTAMP(3) in UTC (the session time zone)
    # lands in the timestamptz columns correctly because the JVM runs in UTC (job.py).
    # The primary key makes the JDBC sink write `INSERT ... ON CONFLICT (broadcaster_id,
    # window_end) DO UPDATE` (the unique index of migration 0002): a replayed or restored window
    # rewrites its own row. Status, attempts and the clipper's columns are not written, so an
    # update never undoes the clipper's work and a new row starts as 'pending' (the default).
    options = {
        "connector": "jdbc",
        "url": jdbc_url,
        "table-name": "clips",
        # Detections are few; a short interval is what a live clip waits for (issue 15).
        "sink.buffer-flush.interval": f"{CLIPS_FLUSH_MS}ms",
        "sink.buffer-flush.max-rows": "100",
        "sink.max-retries": "5",
    }
    # The connector wants both or neither; a password-less (trust) login goes in the URL.
    if user and password:
        options["username"] = user
        options["password"] = password
    elif user:
        separator = "&" if "?" in jdbc_url else "?"
        options["url"] = f"{jdbc_url}{separator}user={user}"
    return f"""
CREATE TABLE clips_sink (
  broadcaster_id STRING,
  window_end TIMESTAMP(3),
  window_start TIMESTAMP(3),
  detected_at TIMESTAMP(3),
  message_count INT,
  chatter_count INT,
  baseline_mean DOUBLE,
  baseline_std DOUBLE,
  threshold DOUBLE,
  PRIMARY KEY (broadcaster_id, window_end) NOT ENFORCED
) WITH (
  {_with(options)}
)"""


# The contract's counting rule (chatlake_contracts.counting), which the reference and the
# backtest apply too: usable rows that are not commands count; unusable ones are dead letters.
_VALID = counting.flink_usable("broadcaster_id", "event_ms", "text")
_NOT_COMMAND = counting.flink_not_command("text")


_CONTENT_COLUMNS = ", ".join(window_content.CONTENT_FIELDS)
_NO_CONTENT = ", ".join(f"CAST(NULL AS BIGINT) AS {name}" for name in window_content.CONTENT_FIELDS)


def job_rows_query(*, bucket_ms: int, topic: str) -> str:
    """Window rows (kind 'w') and rejected rows (kind 'x') in one stream, so that the job reads
    `chat-messages` once: the window counts per channel with the window's content counts
    (`window_content.CONTENT_FIELDS`, the learned scorer's input), and every row that is not a
    usable chat message with the reason. Commands (`!...`) are neither."""
    if bucket_ms % 1000:
        raise ValueError("the window length must be a whole number of seconds")
    # TUMBLE windows of a UTC TIMESTAMP_LTZ are aligned to the epoch, so a window's start in
    # epoch ms is any of its rows' times rounded down to the bucket: no TIMESTAMP crosses into
    # Python (execute_and_collect and the Python bridge handle epoch ms, not TIMESTAMP, well).
    return f"""
SELECT 'w' AS kind, broadcaster_id,
       MIN(event_ms) - MOD(MIN(event_ms), {bucket_ms}) AS window_start,
       MIN(event_ms) - MOD(MIN(event_ms), {bucket_ms}) + {bucket_ms} AS window_end,
       COUNT(*) AS message_count,
       COUNT(DISTINCT COALESCE(user_id, user_name)) AS chatter_count,
       {window_content.flink_content("text")},
       CAST(NULL AS STRING) AS error,
       CAST(NULL AS STRING) AS `raw`,
       CAST(NULL AS STRING) AS location
FROM TABLE(TUMBLE(TABLE chat_messages, DESCRIPTOR(ts), INTERVAL '{bucket_ms // 1000}' SECOND))
WHERE {_VALID} AND {_NOT_COMMAND}
GROUP BY broadcaster_id, window_start, window_end
UNION ALL
SELECT 'x' AS kind, broadcaster_id, `timestamp` AS window_start, CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), {_NO_CONTENT},
       CASE WHEN broadcaster_id IS NULL OR CHAR_LENGTH(broadcaster_id) = 0
              THEN 'missing broadcaster_id'
            WHEN CHAR_LENGTH(broadcaster_id) > 256 THEN 'broadcaster_id too long'
            WHEN `timestamp` IS NULL THEN 'missing or non-integer timestamp'
            WHEN event_ms = 0 THEN 'timestamp is not epoch ms between 2005 and 2100'
            ELSE 'missing text' END AS error,
       JSON_OBJECT(KEY 'broadcaster_id' VALUE broadcaster_id, KEY 'timestamp' VALUE `timestamp`,
                   KEY 'message_id' VALUE message_id) AS `raw`,
       CONCAT({_quote(topic)}, '/', CAST(`partition` AS STRING), '/', CAST(`offset` AS STRING))
         AS location
FROM chat_messages
WHERE NOT ({_VALID})"""


INSERT_WINDOWS = """
INSERT INTO chat_windows_sink
SELECT 1, broadcaster_id, window_start, window_end, message_count, chatter_count
FROM job_rows WHERE kind = 'w'"""

INSERT_DEAD_LETTERS = """
INSERT INTO dead_letters_sink
SELECT 1, 'detector', error, `raw`, location, UNIX_TIMESTAMP() * 1000
FROM job_rows WHERE kind = 'x'"""

# What the DetectFunction reads: the counts and the content counts (the `chat-windows` record
# above carries the counts only).
WINDOW_ROWS = f"""
SELECT broadcaster_id, window_start, window_end, message_count, chatter_count, {_CONTENT_COLUMNS}
FROM job_rows WHERE kind = 'w'"""

INSERT_DETECTIONS = """
INSERT INTO clips_sink
SELECT broadcaster_id, CAST(TO_TIMESTAMP_LTZ(window_end, 3) AS TIMESTAMP(3)),
       CAST(TO_TIMESTAMP_LTZ(window_start, 3) AS TIMESTAMP(3)),
       CAST(TO_TIMESTAMP_LTZ(window_end, 3) AS TIMESTAMP(3)), CAST(message_count AS INT), CAST(chatter_count AS INT),
       baseline_mean, baseline_std, threshold
FROM detections"""
