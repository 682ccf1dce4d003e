"""The chatlake detector: `chat-messages` -> window counts -> detections and `chat-windows`.

    chat-messages (Kafka, JSON) --SQL: parse, event time, drop commands, TUMBLE counts---+
        |                                                                               |
        +-- rejected rows -> chat-dead-letters            window rows -> chat-windows <-+
                                                                        |
                              key by channel -> DetectFunction (Python, keyed state)
                                                                        |
                                             detections -> PostgreSQL clips (upsert)

Run locally (a mini-cluster in this process): `python -m chatlake_streaming.job --help`, or
`uv run chatlake detector run` from the main project, which fills in the arguments from its
settings. On a cluster: `flink run -py chatlake_streaming/job.py -pyfs ... -- <same arguments>`
(docs/detector.md).

Parameters: `--params-file` (chatlake_contracts.params_file, written by `chatlake tune --apply`)
when that file exists, read once at start by this driver; else the `--preset`
(chatlake_contracts.presets) with the `--bucket-ms`... options given replacing its fields.
"""

import argparse
import json
import logging
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import astuple, fields, replace
from pathlib import Path
from urllib.parse import urlparse

from pyflink.common import Configuration, Row, Types
from pyflink.datastream import KeyedProcessFunction, RuntimeContext, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor
from pyflink.table import StreamTableEnvironment

from chatlake_contracts import logformat, presets, topics
from chatlake_contracts.detector import ChannelState, step
from chatlake_contracts.params_file import AppliedParams, applied_params
from chatlake_streaming import sql

PYTHON_BUNDLE_MS = 100
DETECTION_TYPE = Types.ROW_NAMED(
    ["broadcaster_id", "window_start", "window_end", "message_count", "chatter_count",
     "baseline_mean", "baseline_std", "threshold"],
    [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.DOUBLE(),
     Types.DOUBLE(), Types.DOUBLE()],
)


class DetectFunction(KeyedProcessFunction):
    """Per channel: window rows in, detections out; the algorithm is chatlake_contracts.detector,
    with the channel's own parameters when the params file has them.

    Window rows of one channel arrive in window order: one SQL window operator instance emits
    all of a key's windows as the watermark passes them, and the exchange keeps that order.
    """

    def __init__(self, params: AppliedParams):
        self.params = params

    def open(self, runtime_context: RuntimeContext) -> None:
        # The whole ChannelState in one keyed value (a tuple of its fields, pickled): one state
        # read and one write per window. Seven typed values, one per field, made the job 20 %
        # slower on 2-s windows (bench_detector: 21,178 against 26,701 msg/s).
        # Created here rather than in __init__: the function is pickled to workers.
        self.channel = runtime_context.get_state(
            ValueStateDescriptor("channel", Types.PICKLED_BYTE_ARRAY()))
        metrics = runtime_context.get_metrics_group().add_group("chatlake")
        self.windows = metrics.counter("windows")
        self.messages = metrics.counter("messages")
        self.detections = metrics.counter("detections")
        self.late_windows = metrics.counter("late_windows")
        # Reported from the start (at 0), so "no detections yet" is a 0, not a missing series.
        self.detections.inc(0)
        self.late_windows.inc(0)
        # Event-time lag: how far behind the wall clock the newest window is (large on replays).
        self.newest_window_end = 0
        metrics.gauge("event_lag_ms", lambda: int(time.time() * 1000) - self.newest_window_end
                      if self.newest_window_end else 0)

    def process_element(self, value: Row, ctx: KeyedProcessFunction.Context):
        broadcaster_id, window_start, window_end, message_count, chatter_count = value[:5]
        content = tuple(value[5:])  # window_content.CONTENT_FIELDS, computed by the SQL
        stored = self.channel.value()
        state = ChannelState(*stored) if stored else ChannelState()
        self.windows.inc()
        self.messages.inc(message_count)
        self.newest_window_end = max(self.newest_window_end, window_end)
        if state.last_window_end is not None and window_end <= state.last_window_end:
            self.late_windows.inc()
            return
        found = step(state, self.params.for_channel(broadcaster_id), broadcaster_id,
                     window_start, window_end, message_count, chatter_count, content=content)
        self.channel.update(astuple(state))
        if found is not None:
            # `threshold` is what the detection crossed: the rule's mean + k * std, or the
            # model's score threshold (the clips table has no column for the score itself).
            self.detections.inc()
            yield Row(found.broadcaster_id, found.window_start, found.window_end,
                      found.message_count, found.chatter_count, found.baseline_mean,
                      found.baseline_std, found.threshold)


def latest_checkpoint(checkpoint_dir: str) -> str | None:
    """The newest complete checkpoint under a local checkpoint folder (any job id), or None.

    A checkpoint is complete once its `_metadata` file exists; a SIGKILL mid-checkpoint leaves
    a `chk-N` folder without one, which is skipped."""
    if not checkpoint_dir.startswith("file:"):
        return None  # remote storage: pass --restore <uri> explicitly
    root = Path(urlparse(checkpoint_dir).path)
    found = [m for m in root.glob("*/chk-*/_metadata") if m.is_file()]
    if not found:
        return None
    return max(found, key=lambda m: m.stat().st_mtime).parent.as_uri()


def flink_configuration(args: argparse.Namespace) -> Configuration:
    config = Configuration()
    config.set_string("pipeline.name", "chatlake-detector")
    config.set_string("parallelism.default", str(args.parallelism))
    config.set_string("python.executable", args.python or sys.executable)
    # Window boundaries are computed in the session time zone; UTC keeps them epoch-aligned.
    config.set_string("table.local-time-zone", "UTC")
    # pgjdbc sends a TIMESTAMP with the JVM's zone offset: UTC makes timestamptz values right.
    config.set_string("env.java.opts.all", "-Duser.timezone=UTC")
    config.set_string("table.exec.source.idle-timeout", f"{args.idle_timeout_ms} ms")
    config.set_string("pipeline.object-reuse", "true")
    # Windows wait at most this long before they go to the Python detector. The default
    # (1 s) is latency every live detection pays; a backlog still fills bundles by size.
    config.set_string("python.fn-execution.bundle.time", str(PYTHON_BUNDLE_MS))
    config.set_string("state.backend.type", "hashmap")
    config.set_string("execution.checkpointing.interval", f"{args.checkpoint_interval_ms} ms")
    config.set_string("execution.checkpointing.dir", args.checkpoint_dir)
    config.set_string("execution.checkpointing.externalized-checkpoint-retention",
                      "RETAIN_ON_CANCELLATION")
    config.set_string("execution.checkpointing.num-retained", "3")
    # Restart in place after a task failure; a killed process restarts from --restore.
    config.set_string("restart-strategy.type", "exponential-delay")
    if args.restore == "latest":
        args.restore = latest_checkpoint(args.checkpoint_dir)
    if args.restore:
        logging.info("detector: restoring from %s", args.restore)
        config.set_string("execution.state-recovery.path", args.restore)
    if args.metrics_port:
        config.set_string("metrics.reporter.prom.factory.class",
                          "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
        config.set_string("metrics.reporter.prom.port", str(args.metrics_port))
    return config


def reporter_on_classpath() -> None:
    """Flink's local mini-cluster loads no plugins, so `metrics.reporter.prom.*` finds no
    factory ("Available factories: []") unless the reporter jar (pyflink's
    plugins/metrics-prometheus) is on the JVM's classpath. pyflink's gateway starts that JVM
    and appends HADOOP_CLASSPATH to its classpath: the jar goes there. On a cluster (`flink
    run`) the plugin folder is used instead and this changes nothing."""
    import pyflink

    jars = sorted((Path(pyflink.__file__).parent / "plugins" / "metrics-prometheus").glob(
        "flink-metrics-prometheus-*.jar"))
    if not jars:
        logging.warning("detector: no Prometheus reporter jar in pyflink's plugins folder")
        return
    current = os.environ.get("HADOOP_CLASSPATH", "")
    os.environ["HADOOP_CLASSPATH"] = os.pathsep.join(p for p in (current, str(jars[0])) if p)


class JobHealth:
    """/health and /health/ready of the job's driver, beside Flink's reporter (which serves only
    /metrics): liveness while this process runs, readiness while the job is RUNNING."""

    def __init__(self) -> None:
        self.client = None  # pyflink JobClient once submitted

    def status(self) -> str:
        if self.client is None:
            return "SUBMITTING"
        try:
            return self.client.get_job_status().result().name
        except Exception as error:  # the cluster is going away
            return f"UNKNOWN ({type(error).__name__})"

    def serve(self, host: str, port: int) -> None:
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                if path == "/health":
                    code, body = 200, {"status": "ok"}
                elif path == "/health/ready":
                    status = health.status()
                    ok = status == "RUNNING"
                    code, body = (200 if ok else 503), {
                        "status": "ok" if ok else "unavailable", "checks": {"job": ok},
                        "job_status": status}
                else:
                    code, body = 404, {"status": "not found"}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass  # probes are not news

        try:
            server = ThreadingHTTPServer((host, port), Handler)
        except OSError as error:  # the job matters more than its health endpoint
            logging.warning("detector: no /health on %s:%d: %s", host, port, error)
            return
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
        logging.info("detector: /health and /health/ready on http://%s:%d", host, port)


def job_params(args: argparse.Namespace) -> AppliedParams:
    """The params file's parameters when it exists, else the preset's with the options given
    replacing its fields (raises ValueError, ParamsFileError included, naming the problem)."""
    base = presets.preset(args.preset)
    # Options are named after DetectorParams fields; one not given (None) keeps the preset's.
    given = {f.name: getattr(args, f.name) for f in fields(base)
             if getattr(args, f.name, None) is not None}
    try:
        options = replace(base, **given)
    except ValueError as error:
        raise ValueError(f"the {args.preset} preset with {_flags(given)}: {error}") from None
    if options.bucket_ms % 1000:
        raise ValueError(f"bucket_ms must be whole seconds (the SQL window), not "
                         f"{options.bucket_ms}")
    source = f"the {args.preset} preset" + (f" with {_flags(given)}" if given else "")
    return applied_params(args.params_file, options, source)


def _flags(given: dict[str, object]) -> str:
    return " ".join(f"--{name.replace('_', '-')} {value}" for name, value in given.items())


def build(env: StreamExecutionEnvironment, args: argparse.Namespace,
          params: AppliedParams) -> None:
    """Add the detector's pipeline to `env` (executed by the caller)."""
    t_env = StreamTableEnvironment.create(env)
    t_env.execute_sql(sql.chat_messages_source(
        topic=args.messages_topic, bootstrap=args.bootstrap, group_id=args.group_id,
        out_of_orderness_ms=args.out_of_orderness_ms))
    t_env.execute_sql(sql.chat_windows_sink(topic=args.windows_topic, bootstrap=args.bootstrap))
    t_env.execute_sql(sql.dead_letters_sink(topic=args.dead_letters_topic,
                                            bootstrap=args.bootstrap))
    t_env.execute_sql(sql.clips_sink(jdbc_url=args.jdbc_url, user=args.jdbc_user,
                                     password=args.jdbc_password))

    # One DataStream holds everything read from Kafka, so the source is planned once; the
    # queries below all hang off it. One window length for every channel: the default's (the
    # channel sets were aligned to it by applied_params).
    job_rows = t_env.to_data_stream(t_env.sql_query(sql.job_rows_query(
        bucket_ms=params.default.bucket_ms, topic=args.messages_topic)))
    t_env.create_temporary_view("job_rows", t_env.from_data_stream(job_rows))

    windows = t_env.to_data_stream(t_env.sql_query(sql.WINDOW_ROWS))
    detections = (
        windows.key_by(lambda row: row[0], key_type=Types.STRING())
        .process(DetectFunction(params), output_type=DETECTION_TYPE)
        .name("detect").uid("detect")
    )
    t_env.create_temporary_view("detections", t_env.from_data_stream(detections))

    statements = t_env.create_statement_set()
    statements.add_insert_sql(sql.INSERT_WINDOWS)
    statements.add_insert_sql(sql.INSERT_DEAD_LETTERS)
    statements.add_insert_sql(sql.INSERT_DETECTIONS)
    statements.attach_as_datastream()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="chatlake-detector", description=__doc__.splitlines()[0])
    p.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    p.add_argument("--group-id", default="chatlake-detector")
    p.add_argument("--messages-topic", default=topics.CHAT_MESSAGES)
    p.add_argument("--windows-topic", default=topics.CHAT_WINDOWS)
    p.add_argument("--dead-letters-topic", default=topics.DEAD_LETTERS)
    p.add_argument("--jdbc-url", required=True, help="jdbc:postgresql://host:port/db")
    p.add_argument("--jdbc-user")
    p.add_argument("--jdbc-password")
    p.add_argument("--checkpoint-dir", required=True, help="a file:// or s3:// URI")
    p.add_argument("--checkpoint-interval-ms", type=int, default=5_000)
    p.add_argument("--restore",
                   help="a retained checkpoint to start from, or 'latest' under --checkpoint-dir")
    p.add_argument("--parallelism", type=int, default=1)
    p.add_argument("--python", help="the Python the workers run (default: this one)")
    p.add_argument("--metrics-port", help="Prometheus reporter port or range, e.g. 9249-9259")
    p.add_argument("--out-of-orderness-ms", type=int, default=2_000)
    # A partition that brings nothing for this long no longer holds the watermark back. Short
    # values are dangerous when catching up on a backlog: a partition the consumer has not
    # fetched for a few seconds turns idle, the watermark runs ahead and its messages are
    # dropped as late (measured: 5 s lost a third of the windows on a 1 M message backlog).
    p.add_argument("--idle-timeout-ms", type=int, default=30_000)
    p.add_argument("--preset", default=presets.DEFAULT_PRESET,
                   help=f"the named parameters ({', '.join(presets.PRESETS)}; default "
                   f"{presets.DEFAULT_PRESET}); the options below replace its fields")
    # Not given: the preset's value.
    p.add_argument("--bucket-ms", type=int)
    p.add_argument("--baseline-ms", type=int)
    p.add_argument("--k", type=float)
    p.add_argument("--cooldown-ms", type=int)
    p.add_argument("--min-count", type=int)
    p.add_argument("--max-gap-ms", type=int)
    p.add_argument("--health-port", type=int, default=0,
                   help="serve /health (this driver runs) and /health/ready (the job is "
                   "RUNNING) on this port; 0: off")
    p.add_argument("--health-host", default="127.0.0.1")
    p.add_argument("--log-format", choices=logformat.FORMATS, default="text",
                   help="json: one JSON object per line (chatlake_contracts.logformat)")
    p.add_argument("--params-file", type=Path,
                   help="a chatlake-detector-params/1 file; when it exists it replaces the "
                   "preset and the options above and adds per-channel parameters")
    args = p.parse_args(argv)
    if "://" not in args.checkpoint_dir:
        args.checkpoint_dir = Path(args.checkpoint_dir).resolve().as_uri()
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logformat.configure("detector", fmt=args.log_format, secrets=(args.jdbc_password,))
    try:
        params = job_params(args)
    except ValueError as error:  # ParamsFileError, an unknown preset, options that do not fit
        sys.exit(f"detector: {error}")
    logging.info("detector: parameters from %s: default %s, %d channel override(s)",
                 params.source, params.default, len(params.channels))
    for channel, channel_params in sorted(params.channels.items()):
        logging.info("detector: channel %s: %s", channel, channel_params)
    for note in params.notes:
        logging.warning("detector: %s", note)
    # The local mini-cluster's JVM is started by this process: same zone as on a cluster.
    java_options = os.environ.get("JAVA_TOOL_OPTIONS", "")
    if "user.timezone" not in java_options:
        os.environ["JAVA_TOOL_OPTIONS"] = f"{java_options} -Duser.timezone=UTC".strip()
    if args.metrics_port:
        reporter_on_classpath()
    env = StreamExecutionEnvironment.get_execution_environment(flink_configuration(args))
    build(env, args, params)
    logging.info("detector: reading %s from %s", args.messages_topic, args.bootstrap)
    if not args.health_port:
        # Blocks on the local mini-cluster; under `flink run --detached` (a cluster) it
        # returns once the job is submitted, which is what the client must do there.
        env.execute("chatlake-detector")
        return
    job = JobHealth()
    job.serve(args.health_host, args.health_port)
    job.client = env.execute_async("chatlake-detector")
    job.client.get_job_execution_result().result()  # runs until the job ends or is stopped


if __name__ == "__main__":
    main()
