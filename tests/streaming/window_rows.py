"""The job's window query on a file instead of Kafka: run by the streaming environment's Python
(it imports pyflink, which the main project never does), from tests that compare the rows the
DetectFunction would get with the reference's.

    streaming/.venv/bin/python tests/streaming/window_rows.py MESSAGES.jsonl BUCKET_MS OUT.json

MESSAGES.jsonl: v1 chat records, one a line, in time order. OUT.json: a list of WINDOW_ROWS
rows (broadcaster_id, window_start, window_end, message_count, chatter_count, *content).
"""

import json
import sys

from chatlake_streaming import sql
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.table import StreamTableEnvironment


def main(messages: str, bucket_ms: int, out: str) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    t_env = StreamTableEnvironment.create(env)
    t_env.get_config().set("table.local-time-zone", "UTC")
    t_env.execute_sql(sql.chat_messages_table(
        {"connector": "filesystem", "path": messages, "format": "json",
         "json.ignore-parse-errors": "true"},
        out_of_orderness_ms=2_000, location="`partition` INT,\n  `offset` BIGINT"))
    t_env.create_temporary_view("job_rows", t_env.sql_query(
        sql.job_rows_query(bucket_ms=bucket_ms, topic="file")))
    # The file is bounded: at its end the watermark jumps past every window, which all close.
    with t_env.sql_query(sql.WINDOW_ROWS).execute().collect() as rows:
        found = [list(row) for row in rows]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(found, handle)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
