"""`chatlake demo`: the whole pipeline on one laptop against the Twitch stand-in, in one command.

    uv run chatlake demo                    # synthetic chat on 6 channels
    uv run chatlake demo --chat vod.json    # replay chat files instead (repeatable)

It brings up the embedded stack (`chatlake up`: Kafka, PostgreSQL, the archiver, the API),
runs the
Twitch stand-in in this process with chat replayed into it, seeds a stand-in token (in its own
file: a real token is never overwritten), runs the stream monitor every few seconds (the same
`monitor_cycle` as the Dagster schedule), and starts the chat ingest, the clipper and the
detector (when its environment is there) as child processes. Ctrl-C (or SIGTERM, or
--duration) stops every child and every stack part the demo started, in that order.

The demo shortens the detector's baseline (--baseline-seconds) and puts the synthetic chat's
first burst just after it, so clips appear within a few minutes instead of after 6.
"""

import asyncio
import contextlib
import itertools
import logging
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.markup import escape

from chatlake.commands.stack import EXPECTED_FAILURES
from chatlake.embedded import kafka, processes, services, stack
from core import metrics
from core.settings import STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET, Settings
from ingest.importers import ImportOptions
from ingest.monitor import MonitorConfig
from ingest.monitor.loop import monitor_loop
from ingest.monitor.metrics import monitor_ready
from standin import TwitchStandIn
from standin.replay import file_events, replay
from standin.synthetic import burst_schedule, generate, synthetic_channels
from twitch.helix import HelixEndpoint
from twitch.tokens import StoredToken, TokenStore

log = logging.getLogger(__name__)

CHILD_GRACE_S = 2.0  # a child that dies this fast is reported with its log
PROGRESS_EVERY_S = 20.0
SERVICES = ("demo-ingest", "demo-clipper", "demo-detector")
STACK_PARTS = (stack.API, stack.ARCHIVER, "kafka", "postgres")  # in stopping order


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


@dataclass
class DemoOptions:
    chat: list[Path]
    channels: int = 6
    speed: float = 1.0
    duration: float | None = None
    detector: bool = True
    monitor_interval: float = 10.0
    baseline_seconds: int = 60
    first_burst: float = 90.0


def demo(
    chat: Annotated[list[Path] | None, typer.Option(
        "--chat", help="Replay this chat file (any format the importers read); repeatable.")
    ] = None,
    channels: Annotated[int, typer.Option(help="Synthetic channels (without --chat).")] = 6,
    speed: Annotated[float, typer.Option(help="Replay speed of --chat files.")] = 1.0,
    duration: Annotated[float | None, typer.Option(
        help="Stop after this many seconds (default: run until Ctrl-C).")] = None,
    detector: Annotated[bool, typer.Option(help="Run the PyFlink detector.")] = True,
    monitor_interval: Annotated[float, typer.Option(
        help="Seconds between monitor cycles (the Dagster schedule runs every 120).")] = 10.0,
    baseline_seconds: Annotated[int, typer.Option(
        help="The detector's baseline for the demo (production: 300).")] = 60,
) -> None:
    """Run everything against the Twitch stand-in and show where to look. Ctrl-C stops it."""
    options = DemoOptions(list(chat or []), channels, speed, duration, detector,
                          monitor_interval, baseline_seconds, baseline_seconds + 30.0)
    console = Console(highlight=False, soft_wrap=True)
    settings = Settings()
    # With CHATLAKE_LOG_FORMAT=json the demo's own lines are log records too (one JSON each).
    say = log.info if settings.log.format == "json" else (
        lambda line: console.print(escape(line)))
    try:
        Demo(settings, options, say).run()
    except EXPECTED_FAILURES as failure:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[red]error[/red]: {escape(str(failure))}")
        raise typer.Exit(1) from failure


@dataclass
class Demo:
    settings: Settings
    options: DemoOptions
    say: Callable[[str], None]
    started_parts: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    # ---------- the whole run ----------

    def run(self) -> None:
        settings = self.settings
        # Stop only what this demo starts: parts already running stay as they were.
        was_running = {p.part for p in stack.status(settings) if p.state == "running"}
        for name in SERVICES:  # left over by a demo that was killed
            processes.stop(settings.run_dir, name)
        try:
            stack.up(settings, self.say, detector=False)  # the demo runs its own
            self.started_parts = [part for part in STACK_PARTS if part not in was_running]
            asyncio.run(self._run_async())
        finally:
            self._stop_children()
            self._stop_stack()
            services.running_records(settings)  # drops records of processes now gone

    async def _run_async(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        interval = self.options.monitor_interval
        server = metrics.serve(self.settings.metrics.host, self.settings.metrics.monitor_port,
                               ready=lambda: monitor_ready(interval))
        try:
            async with TwitchStandIn(port=self.settings.twitch.standin_port) as standin:
                sources = self._scene(standin)
                env = self._child_env(standin)
                self._start_children(env)
                tasks = [asyncio.create_task(replay(source, standin.push_events,
                                                    speed=self.options.speed, stop=stop))
                         for source in sources]
                tasks.append(asyncio.create_task(self._monitor(standin, stop)))
                tasks.append(asyncio.create_task(self._progress(standin, stop)))
                self._where_to_look(standin, server)
                await self._wait(stop)
                self.say("stopping the demo ...")
                stop.set()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                # The services first (the clipper may be mid-call), then the stand-in closes.
                await asyncio.to_thread(self._stop_children)
        finally:
            server.close()

    async def _wait(self, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), self.options.duration or math.inf)

    # ---------- the stand-in, its chat and the token ----------

    def _scene(self, standin: TwitchStandIn) -> list[Iterator]:
        """Live streams and the chat sources to replay into them."""
        streams, sources = [], []
        if self.options.chat:
            for path in self.options.chat:
                events = file_events(path, ImportOptions())
                first = next(events, None)
                if first is None:
                    self.say(f"{path}: no chat in it, skipped")
                    continue
                streams.append({"user_id": first[1]["broadcaster_user_id"],
                                "user_login": first[1]["broadcaster_user_login"],
                                "viewer_count": 10_000 - len(streams)})
                sources.append(itertools.chain([first], events))
        else:
            fake = synthetic_channels(self.options.channels)
            bursts = burst_schedule(fake, 86_400, first_burst_s=self.options.first_burst,
                                    every_s=120.0)
            streams = [{"user_id": c.broadcaster_id, "user_login": c.login,
                        "viewer_count": c.viewer_count} for c in fake]
            sources.append(((at, event, None)
                            for at, event in generate(fake, math.inf, bursts=bursts)))
        standin.set_streams(streams)
        self.say(f"Twitch stand-in at {standin.base_url}: {len(streams)} live channels")
        return sources

    def _token_store(self) -> TokenStore:
        # Its own file, so a real token at the default path is never overwritten.
        return TokenStore(self.settings.state_dir.resolve() / "demo" / "twitch-token.json")

    def _seed_token(self, standin: TwitchStandIn) -> TokenStore:
        token = standin.issue_user_token()
        store = self._token_store()
        store.save(StoredToken(access_token=token.access_token,
                               refresh_token=token.refresh_token or "", user_id=standin.bot_id,
                               login=standin.bot_login, client_id=standin.client_id,
                               scopes=tuple(token.scopes)))
        return store

    def _child_env(self, standin: TwitchStandIn) -> dict[str, str]:
        store = self._seed_token(standin)
        env = dict(os.environ)
        env.update({
            "CHATLAKE_STATE_DIR": str(self.settings.state_dir.resolve()),
            "CHATLAKE_TWITCH_STANDIN_URL": standin.base_url,
            "CHATLAKE_TWITCH_CLIENT_ID": STANDIN_CLIENT_ID,
            "CHATLAKE_TWITCH_CLIENT_SECRET": STANDIN_CLIENT_SECRET,
            "CHATLAKE_TWITCH_TOKEN_FILE": str(store.path),
            "CHATLAKE_DETECTOR_BASELINE_SECONDS": str(self.options.baseline_seconds),
        })
        return env

    # ---------- child services ----------

    def _commands(self) -> dict[str, list[str]]:
        cli = [sys.executable, "-m", "chatlake.cli"]
        commands = {"demo-ingest": [*cli, "ingest"], "demo-clipper": [*cli, "clipper"]}
        if self.options.detector:
            if not detector_available():
                self.say("detector: installing its PyFlink environment (streaming/.venv) on "
                         "first use; this takes a few minutes, see its log")
            commands["demo-detector"] = [*cli, "detector", "run", "--fresh"]
        return commands

    def _start_children(self, env: dict[str, str]) -> None:
        settings = self.settings
        for name, command in self._commands().items():
            record = processes.start_detached(name, command, run_dir=settings.run_dir,
                                              log_dir=settings.log_dir, env=env, cwd=Path.cwd())
            self.children.append(name)
            log_path = processes.log_file(settings.log_dir, name)
            if processes.wait_until(lambda r=record: not processes.is_alive(r.pid, r.create_time),
                                    timeout=CHILD_GRACE_S):
                self.say(f"{name} exited right after starting; see {log_path}:\n"
                         f"{processes.log_tail(log_path)}")
            else:
                self.say(f"{name.removeprefix('demo-')} started (pid {record.pid}), "
                         f"log {log_path}")

    def _stop_children(self) -> None:
        for name in reversed(self.children):
            record = processes.stop(self.settings.run_dir, name, timeout=15.0)
            if record is not None:
                self.say(f"{name.removeprefix('demo-')}: stopped (pid {record.pid})")
        self.children = []

    def _stop_stack(self) -> None:
        settings = self.settings
        stops = {stack.API: lambda: processes.stop(settings.run_dir, stack.API),
                 stack.ARCHIVER: lambda: processes.stop(settings.run_dir, stack.ARCHIVER),
                 "kafka": lambda: kafka.stop(settings.run_dir),
                 "postgres": lambda: stack.embedded_postgres(settings).stop()}
        for part in STACK_PARTS:
            if part in self.started_parts:
                record = stops[part]()
                if record is not None:
                    self.say(f"{part}: stopped (pid {record.pid})")
        self.started_parts = []

    # ---------- monitor and progress ----------

    async def _monitor(self, standin: TwitchStandIn, stop: asyncio.Event) -> None:
        endpoint = HelixEndpoint(standin.helix_url, standin.auth_url, standin.client_id,
                                 standin.client_secret)
        await monitor_loop(endpoint, self.settings.postgres.url, self.settings.kafka.servers,
                           MonitorConfig.from_settings(self.settings),
                           self.options.monitor_interval, stop)

    async def _progress(self, standin: TwitchStandIn, stop: asyncio.Event) -> None:
        began = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PROGRESS_EVERY_S)
            if stop.is_set():
                return
            try:
                followed, clips = await asyncio.to_thread(database_counts,
                                                          self.settings.postgres.url)
            except psycopg.Error as error:
                self.say(f"progress: PostgreSQL unavailable ({type(error).__name__})")
                continue
            stats = standin.stats()
            clip_text = ", ".join(f"{n} {status}" for status, n in clips) or "none yet"
            self.say(f"[{time.monotonic() - began:5.0f} s] chat sent {stats.get('pushed', 0)}, "
                     f"channels followed {followed}, clips: {clip_text}")

    def _where_to_look(self, standin: TwitchStandIn, server: metrics.MetricsServer) -> None:
        settings = self.settings
        lines = [
            "",
            "chatlake demo is running. Where to look:",
            "  uv run chatlake status                  the stack's parts",
            "  uv run chatlake sql \"select broadcaster_id, count(*) from chat_messages "
            "group by 1\"",
            f"  psql {settings.postgres.url} -c \"select id, broadcaster_id, status, "
            "clip_id, failure_reason from clips order by id desc limit 10\"",
            f"  logs: {settings.log_dir.resolve()}",
        ]
        lines.append(f"  web UI and API: http://127.0.0.1:{settings.api.port}/")
        if server.url:
            lines.append(f"  metrics: monitor {server.url}, ingest "
                         f"http://{settings.metrics.host}:{settings.metrics.ingest_port}"
                         f"/metrics, clipper http://{settings.metrics.host}:"
                         f"{settings.metrics.clipper_port}/metrics")
        lines += [
            "  Dagster (the monitor as a 2-minute schedule): "
            "uv run python -m orchestration.dev",
            f"  Twitch stand-in: {standin.base_url}",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        for line in lines:
            self.say(line)


def detector_available() -> bool:
    from detector.job import streaming_python

    return streaming_python().is_file()


def database_counts(dsn: str) -> tuple[int, list[tuple[str, int]]]:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        followed = conn.execute("select count(*) from monitor_follows").fetchone()[0]
        clips = conn.execute("select status, count(*) from clips group by 1 order by 1"
                             ).fetchall()
    return followed, [(status, n) for status, n in clips]
