"""The clipper: pending detections -> Twitch clips (`chatlake clipper`).

    service = ClipperService(ClipperConfig.from_settings(settings), endpoint, token_store)
    await service.check_token()       # ClipperStartupError: missing/invalid token, do nothing
    await service.run(stop)

Per detection (`process`): wait until detected_at + `create_delay_s` (5 s: chat peaks lag the
moment ~20 s, so the moment and the peak both sit inside the default 30 s clip; docs/tuning.md),
Create Clip with retries of transient failures (5xx, 429 after its Ratelimit-Reset, timeouts)
after 2 s and 4 s, read the clip 15 s after creation and poll up to a bound, then complete the
row or fail it with the reason. A 403 marks the channel as not allowing clips.

At most one clip per detection: the row is 'creating' (with its title) before each Create
Clip call and 'created' (with the clip id) right after; a row found 'creating' after a crash is
first searched for on Twitch by its title and only created again when no such clip appears
within the visibility bound. One gap remains: a request that timed out may have created a clip
Twitch never confirmed, and the retry then makes a second one.
"""

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import psycopg

from clipper import metrics, store
from clipper.store import ClipRow
from core.settings import Settings
from twitch.helix import HelixClient, HelixEndpoint, HelixError, TokenInvalidError, UserToken
from twitch.tokens import TokenFileError, TokenStore

log = logging.getLogger(__name__)

CLIPS_EDIT = "clips:edit"
MAX_CLIP_SECONDS = 60.0


class ClipperStartupError(RuntimeError):
    """The clipper cannot start (no token, invalid token, no scope); says what to do."""


@dataclass(frozen=True)
class ClipperConfig:
    dsn: str
    worker_id: str
    create_delay_s: float = 5.0
    retry_delays_s: tuple[float, ...] = (2.0, 4.0)
    read_after_s: float = 15.0
    read_bound_s: float = 60.0
    read_every_s: float = 2.0
    clip_seconds: float = 30.0
    concurrency: int = 4
    poll_interval_s: float = 1.0
    lease_s: float = 300.0
    stop_grace_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> "ClipperConfig":
        values = dict(
            dsn=settings.postgres.url,
            worker_id=settings.clipper.worker_id or f"clipper@{socket.gethostname()}",
            create_delay_s=settings.clipper.create_delay_s,
            retry_delays_s=tuple(settings.clipper.retry_delays_s),
            read_after_s=settings.clipper.read_after_s,
            read_bound_s=settings.clipper.read_bound_s,
            clip_seconds=settings.clipper.clip_seconds,
            concurrency=settings.clipper.concurrency,
            poll_interval_s=settings.clipper.poll_interval_s, lease_s=settings.clipper.lease_s)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


class Failed(Exception):
    """Ends one detection as failed; `kind` labels the metric, the message is the reason."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


AfterCreate = Callable[[ClipRow, dict], Awaitable[None]]


class ClipperService:
    def __init__(self, config: ClipperConfig, endpoint: HelixEndpoint, token_store: TokenStore,
                 *, after_create: AfterCreate | None = None) -> None:
        self.config = config
        self.endpoint = endpoint
        self.token_store = token_store
        self.user: UserToken | None = None
        self.user_id: str | None = None
        self.fatal: str | None = None  # set when the token dies mid-run
        self.ready = asyncio.Event()
        metrics.start_series()
        # Test seam: runs between Create Clip's answer and recording it (the crash window).
        self._after_create = after_create

    # ---------- start-up ----------

    async def check_token(self) -> None:
        """Load and validate the user token (refreshing it once if it expired)."""
        try:
            user = UserToken(self.token_store, on_refresh=metrics.CLIPPER_TOKEN_REFRESHES.inc)
        except TokenFileError as error:
            raise ClipperStartupError(str(error)) from None
        async with HelixClient(self.endpoint, user=user) as helix:
            try:
                info = await helix.validate(user.access_token)
                if info is None:
                    log.info("the stored Twitch token does not validate; refreshing it")
                    await user.refresh(helix, user.access_token)
                    info = await helix.validate(user.access_token)
            except TokenInvalidError as error:
                raise ClipperStartupError(str(error)) from None
            except HelixError as error:
                raise ClipperStartupError(f"cannot validate the Twitch token: {error}") from None
        metrics.TOKEN_VALID.set(1 if info is not None else 0)
        if info is None:
            raise ClipperStartupError("the refreshed Twitch token does not validate: run "
                                      "`uv run chatlake auth seed` again")
        if CLIPS_EDIT not in (info.get("scopes") or []):
            raise ClipperStartupError(f"the Twitch token lacks the {CLIPS_EDIT} scope: run "
                                      "`uv run chatlake auth seed` again")
        if info.get("client_id") not in (None, self.endpoint.client_id):
            raise ClipperStartupError("the Twitch token belongs to another app than "
                                      "CHATLAKE_TWITCH_CLIENT_ID: seed it again")
        if info.get("expires_in") is not None:
            metrics.TOKEN_EXPIRES.set(time.time() + float(info["expires_in"]))
        self.user, self.user_id = user, str(info.get("user_id") or user.token.user_id)

    # ---------- running ----------

    async def run(self, stop: asyncio.Event) -> None:
        if self.user is None:
            await self.check_token()
        async with await psycopg.AsyncConnection.connect(self.config.dsn,
                                                         autocommit=True) as conn:
            freed = await store.release_own_leases(conn, self.config.worker_id)
        if freed:
            log.info("resuming %d detections this clipper held when it stopped", freed)
        async with HelixClient(self.endpoint, user=self.user) as helix:
            halt = asyncio.Event()  # stop, or a fatal token error
            workers = [asyncio.create_task(self._worker(helix, halt), name=f"clipper-{i}")
                       for i in range(self.config.concurrency)]
            self.ready.set()
            log.info("clipper %s running (%d workers)", self.config.worker_id, len(workers))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait([stopping, *workers], return_when=asyncio.FIRST_COMPLETED)
            halt.set()
            _, pending = await asyncio.wait(workers, timeout=self.config.stop_grace_s)
            for task in pending:  # mid-detection: the row keeps its step, the lease is freed
                task.cancel()
            results = await asyncio.gather(*workers, return_exceptions=True)
            stopping.cancel()
        for result in results:  # a worker that died (not stopped) takes the service down
            if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError):
                raise result
        if self.fatal:
            raise ClipperStartupError(self.fatal)
        log.info("clipper stopped")

    async def _worker(self, helix: HelixClient, halt: asyncio.Event) -> None:
        async with await psycopg.AsyncConnection.connect(self.config.dsn,
                                                         autocommit=True) as conn:
            while not halt.is_set():
                due = datetime.now(tz=UTC) - timedelta(
                    seconds=self.config.create_delay_s - self.config.poll_interval_s)
                row = await store.claim_due(conn, self.config.worker_id, due_before=due,
                                            lease_s=self.config.lease_s)
                if row is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(halt.wait(), self.config.poll_interval_s)
                    continue
                try:
                    await self.process(conn, helix, row)
                except TokenInvalidError as error:
                    metrics.TOKEN_VALID.set(0)
                    self.fatal = str(error)
                    log.critical("%s", error)
                    await _shielded(store.release(conn, row))
                    halt.set()
                except asyncio.CancelledError:
                    await _shielded(store.release(conn, row))
                    raise
                except Exception:  # a bug or a lost database: free the row, go on
                    log.exception("detection %d: unexpected error; it will be retried", row.id)
                    await _shielded(store.release(conn, row))
                    await asyncio.sleep(self.config.poll_interval_s)

    async def process(self, conn: psycopg.AsyncConnection, helix: HelixClient,
                      row: ClipRow) -> None:
        """Take one claimed detection as far as it goes: completed or failed."""
        metrics.CLIPS_IN_FLIGHT.inc()
        if row.status == "pending" and not row.attempts:  # once per detection
            observe_commit_latency(row)
        try:
            if row.status == "creating":
                await self._recover(conn, helix, row)
            if row.status in ("pending", "creating"):
                await self._create(conn, helix, row)
            clip = await self._read(helix, row)
            await store.complete(conn, row, clip)
            metrics.CLIPS.labels("completed").inc()
            metrics.CLIP_SECONDS.observe(
                (datetime.now(tz=UTC) - row.detected_at).total_seconds())
            log.info("detection %d of channel %s: clip %s completed", row.id,
                     row.broadcaster_id, row.clip_id)
        except Failed as failure:
            await store.fail(conn, row, str(failure))
            metrics.CLIPS.labels("failed").inc()
            metrics.CLIP_FAILURES.labels(failure.kind).inc()
            log.warning("detection %d of channel %s failed: %s", row.id, row.broadcaster_id,
                        failure)
        finally:
            metrics.CLIPS_IN_FLIGHT.dec()

    # ---------- Create Clip ----------

    async def _create(self, conn: psycopg.AsyncConnection, helix: HelixClient,
                      row: ClipRow) -> None:
        due = row.detected_at.timestamp() + self.config.create_delay_s
        await _sleep_until(due)
        late = max(0.0, time.time() - due)
        # A clip ends at the call; lengthening it keeps the moment in, up to Twitch's 60 s.
        duration = self.config.clip_seconds + late
        if duration > MAX_CLIP_SECONDS:
            raise Failed("too_late", f"too late: Create Clip would run {late:.0f} s after its "
                                     f"time, the moment is out of any clip")
        title = row.title or clip_title(row)
        delays = (0.0, *self.config.retry_delays_s)  # before each attempt
        for attempt in range(1, len(delays) + 1):
            await store.mark_creating(conn, row, title)
            called = time.time()
            try:
                created = await helix.create_clip(row.broadcaster_id, title=title,
                                                  duration=round(duration))
            except HelixError as error:
                metrics.CREATE_CALLS.labels(str(error.status or "no_response")).inc()
                if error.transient and attempt < len(delays):
                    wait = delays[attempt]
                    if error.reset_at is not None:  # 429: not before the bucket refills
                        wait = max(wait, error.reset_at - time.time())
                    log.info("Create Clip for detection %d: %s; retrying in %.1f s", row.id,
                             error, wait)
                    await asyncio.sleep(wait)
                    continue
                await self._refused(conn, row, error, attempt)
            metrics.CREATE_CALLS.labels("202").inc()
            if attempt == 1:
                metrics.CREATE_CALL_SECONDS.observe(called - row.detected_at.timestamp())
            if self._after_create is not None:
                await self._after_create(row, created)
            await store.mark_created(conn, row, created["id"], created.get("edit_url"))
            return

    async def _refused(self, conn: psycopg.AsyncConnection, row: ClipRow, error: HelixError,
                       attempt: int) -> NoReturn:
        if error.status == 403:
            await store.forbid_clipping(conn, row.broadcaster_id)
            raise Failed("forbidden", f"clipping not allowed on this channel (403: "
                                      f"{error.message}); channel marked")
        if error.status == 404:
            raise Failed("offline", f"channel not live at Create Clip (404: {error.message})")
        if error.transient:
            raise Failed("transient", f"Create Clip failed {attempt} times, last: {error}")
        raise Failed("refused", f"Create Clip refused: {error}")

    async def _recover(self, conn: psycopg.AsyncConnection, helix: HelixClient,
                       row: ClipRow) -> None:
        """A crash left this row 'creating': a clip with its title may exist already."""
        requested = (row.create_requested_at or datetime.now(tz=UTC)).timestamp()
        deadline = max(requested, time.time()) + self.config.read_bound_s
        window = (datetime.fromtimestamp(requested - 120, tz=UTC), None)
        log.info("detection %d was being clipped when a clipper stopped; looking for its clip",
                 row.id)
        while True:
            try:
                clips = await helix.clips_of(row.broadcaster_id, started_at=_rfc3339(window[0]))
            except HelixError as error:
                if not error.transient:
                    raise Failed("refused", f"Get Clips refused while recovering: {error}"
                                 ) from None
                clips = []
            mine = [c for c in clips if c.get("title") == row.title
                    and c.get("creator_id") in (None, "", self.user_id)]
            if mine:
                await store.mark_created(conn, row, mine[0]["id"], row.edit_url)
                log.info("detection %d already had clip %s", row.id, mine[0]["id"])
                return
            if time.time() >= deadline:
                log.info("detection %d has no clip on Twitch; creating it", row.id)
                return
            await asyncio.sleep(self.config.read_every_s)

    # ---------- Get Clips ----------

    async def _read(self, helix: HelixClient, row: ClipRow) -> dict:
        assert row.clip_id is not None
        created = time.time()
        await asyncio.sleep(self.config.read_after_s)
        last_error: HelixError | None = None
        while True:
            try:
                found = await helix.clips_by_id([row.clip_id])
                if found:
                    return found[0]
            except HelixError as error:
                if not error.transient:
                    raise Failed("refused", f"Get Clips refused: {error}") from None
                last_error = error
            if time.time() - created >= self.config.read_bound_s:
                why = f" (last error {last_error})" if last_error else ""
                raise Failed("not_visible", f"clip {row.clip_id} not visible "
                             f"{self.config.read_bound_s:.0f} s after creation{why}")
            await asyncio.sleep(self.config.read_every_s)


def observe_commit_latency(row: ClipRow) -> None:
    """Window end -> the detector's row committed (rows without recorded_at are older than
    migration 0006, or were not written by the detector)."""
    if row.recorded_at is not None and row.window_end is not None:
        metrics.DETECTION_COMMIT_SECONDS.observe(
            max(0.0, (row.recorded_at - row.window_end).total_seconds()))


def clip_title(row: ClipRow) -> str:
    """Unique per detection: after a crash the clip is found again by this title."""
    return f"chatlake highlight #{row.id} at {row.detected_at.astimezone(UTC):%H:%M:%S} UTC"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _sleep_until(epoch_s: float) -> None:
    delay = epoch_s - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


async def _shielded(work: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.shield(work)
