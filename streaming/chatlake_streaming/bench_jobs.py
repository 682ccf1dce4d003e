"""The two comparison jobs of bench/bench_detector.py (the detector itself is job.py).

- `raw`: Kafka -> discard, the ceiling: values stay bytes, only marker records are kept.
- `naive`: the seed's design, a Python function on every message: parse the JSON in Python, drop
  commands, count 5 s windows per channel in a Python KeyedProcessFunction.

Both copy marker records (keys `__start__-<p>` / `__end__-<p>`, produced first and last on every
partition) to a markers topic; the benchmark times the run from the first start marker to the
last end marker, so the 10-15 s of mini-cluster start-up is not counted.
"""

import argparse
import json
import sys

from pyflink.common import Configuration, Types, WatermarkStrategy
from pyflink.common.serialization import SimpleStringSchema
from pyflink.datastream import KeyedProcessFunction, RuntimeContext, StreamExecutionEnvironment
from pyflink.datastream.connectors.kafka import (
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)
from pyflink.datastream.state import ValueStateDescriptor
from pyflink.table import StreamTableEnvironment

from chatlake_contracts import counting

from chatlake_streaming.sql import FETCH_OPTIONS

MARKER_PREFIXES = ("__start__", "__end__")


class NaiveWindowCount(KeyedProcessFunction):
    """Counts one channel's messages per window; emits a window when the next one begins."""

    def __init__(self, bucket_ms: int):
        self.bucket_ms = bucket_ms

    def open(self, runtime_context: RuntimeContext) -> None:
        self.window_start = runtime_context.get_state(
            ValueStateDescriptor("window_start", Types.LONG()))
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value, ctx):
        broadcaster_id, timestamp = value
        if broadcaster_id.startswith(MARKER_PREFIXES):
            yield broadcaster_id
            return
        start = timestamp - timestamp % self.bucket_ms
        current = self.window_start.value()
        if current is not None and start != current:
            yield f"{broadcaster_id},{current},{self.count.value()}"
            self.count.clear()
        self.window_start.update(start)
        self.count.update((self.count.value() or 0) + 1)


def parse(raw: str):
    record = json.loads(raw)
    if record["broadcaster_id"].startswith(MARKER_PREFIXES):
        return record["broadcaster_id"], record["timestamp"]
    if not counting.counts(record.get("broadcaster_id"), record.get("timestamp"),
                           record.get("text")):
        return None
    return record["broadcaster_id"], record["timestamp"]


def build_naive(env: StreamExecutionEnvironment, args: argparse.Namespace) -> None:
    source = (KafkaSource.builder().set_bootstrap_servers(args.bootstrap)
              .set_topics(args.topic).set_group_id(args.group_id)
              .set_starting_offsets(KafkaOffsetsInitializer.earliest())
              .set_value_only_deserializer(SimpleStringSchema())
              .set_properties({k.removeprefix("properties."): v for k, v in FETCH_OPTIONS.items()})
              .build())
    sink = (KafkaSink.builder().set_bootstrap_servers(args.bootstrap)
            .set_record_serializer(KafkaRecordSerializationSchema.builder()
                                   .set_topic(args.markers_topic)
                                   .set_value_serialization_schema(SimpleStringSchema()).build())
            .build())
    (env.from_source(source, WatermarkStrategy.no_watermarks(), "chat-messages")
     .map(parse, output_type=Types.PICKLED_BYTE_ARRAY()).name("parse").uid("parse")
     .filter(lambda row: row is not None).name("drop-commands").uid("drop-commands")
     .map(lambda row: row, output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
     .key_by(lambda row: row[0], key_type=Types.STRING())
     .process(NaiveWindowCount(5_000), output_type=Types.STRING()).name("count").uid("count")
     .filter(lambda line: line.startswith(MARKER_PREFIXES))
     .sink_to(sink).name("markers").uid("markers"))


def build_raw(env: StreamExecutionEnvironment, args: argparse.Namespace) -> None:
    t_env = StreamTableEnvironment.create(env)
    fetch = ", ".join(f"'{k}' = '{v}'" for k, v in FETCH_OPTIONS.items())
    t_env.execute_sql(f"""
        CREATE TABLE messages (k STRING, payload BYTES) WITH (
          'connector' = 'kafka', 'topic' = '{args.topic}',
          'properties.bootstrap.servers' = '{args.bootstrap}',
          'properties.group.id' = '{args.group_id}',
          'scan.startup.mode' = 'earliest-offset', {fetch},
          'key.format' = 'raw', 'key.fields' = 'k',
          'value.format' = 'raw', 'value.fields-include' = 'EXCEPT_KEY')""")
    t_env.execute_sql(f"""
        CREATE TABLE markers (k STRING) WITH (
          'connector' = 'kafka', 'topic' = '{args.markers_topic}',
          'properties.bootstrap.servers' = '{args.bootstrap}', 'format' = 'raw')""")
    t_env.create_statement_set().add_insert_sql(
        "INSERT INTO markers SELECT k FROM messages WHERE k LIKE '\\_\\_%' ESCAPE '\\'"
    ).attach_as_datastream()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["raw", "naive"])
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--markers-topic", required=True)
    p.add_argument("--group-id", required=True)
    p.add_argument("--parallelism", type=int, default=2)
    args = p.parse_args(argv)
    config = Configuration()
    config.set_string("parallelism.default", str(args.parallelism))
    config.set_string("python.executable", sys.executable)
    config.set_string("pipeline.object-reuse", "true")
    env = StreamExecutionEnvironment.get_execution_environment(config)
    (build_raw if args.mode == "raw" else build_naive)(env, args)
    env.execute(f"bench-{args.mode}")


if __name__ == "__main__":
    main()
