"""The chat ingest service: EventSub chat of the followed channels -> `chat-messages`.

    service = ChatIngestService(IngestConfig.from_settings(Settings()))
    await service.run(stop)          # until stop is set; then flushes and returns

twitchio 3 runs the EventSub session (connect, welcome, keepalive, reconnect and
re-subscription after a dropped socket) and the token (refresh on 401, re-validation);
`wire` takes the chat frames off the socket; `publisher` buffers them into Kafka. A
reconcile loop keeps the subscriptions equal to `ChannelBook.wanted()`, and re-creates any
that twitchio failed to restore.

With `shard` set (several Twitch accounts, one process each), the wanted channels are the
monitor's assignment to this shard, read from PostgreSQL at each heartbeat (`shard`,
ingest/shards/), instead of `stream-lifecycle`.
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import msgspec
import twitchio
from chatlake_contracts.deadletter import dead_letter
from chatlake_contracts.topics import CHAT_MESSAGES, DEAD_LETTERS
from twitchio import eventsub

from core.settings import Settings
from ingest.chat_ingest import wire
from ingest.chat_ingest.channels import ChannelBook
from ingest.chat_ingest.lifecycle import follow_lifecycle
from ingest.chat_ingest.mapping import MalformedEvent, record_from_notification
from ingest.chat_ingest.notification import CHAT_MESSAGE, ChatNotification
from ingest.chat_ingest.publisher import ChatPublisher, Outgoing
from ingest.chat_ingest.shard import ShardMembership
from ingest.shards.store import ShardConflict
from twitch.tokens import TokenFileError, TokenStore, app_credentials
from warehouse.optouts import CachedOptOuts

log = logging.getLogger(__name__)

ORIGIN = "chat-ingest"
# A dead letter keeps the input, but not a runaway one whole.
MAX_DEAD_LETTER_RAW = 64 * 1024
# msgspec, not orjson: in this process (right after msgspec decoded the frame) orjson.dumps
# of the record measured ~6.8 us against msgspec's ~1.2 us (bench/bench_ingest.py, docs/twitch.md).
_encode_json = msgspec.json.Encoder().encode


class IngestStartupError(RuntimeError):
    """The service cannot start (no token, invalid token...); the message says what to do."""


@dataclass(frozen=True)
class IngestConfig:
    bootstrap_servers: str
    client_id: str
    client_secret: str
    token_store: TokenStore
    helix_url: str
    id_url: str
    eventsub_ws_url: str
    max_channels: int = 95
    buffer_limit: int = 100_000
    validate_interval_s: float = 3600.0
    static_channels: tuple[str, ...] = ()
    follow_lifecycle: bool = True
    reconcile_interval_s: float = 0.5
    flush_timeout_s: float = 15.0
    # Sharded (several accounts): the channels come from the monitor's assignment in
    # PostgreSQL, not from stream-lifecycle (ingest/shards/).
    shard: str | None = None
    postgres_dsn: str | None = None
    heartbeat_s: float = 5.0
    shard_dead_after_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> "IngestConfig":
        client_id, client_secret = app_credentials(settings)
        static = tuple(c.strip() for c in (settings.ingest.channels or "").split(",")
                       if c.strip())
        values = dict(
            bootstrap_servers=settings.kafka.servers, client_id=client_id,
            client_secret=client_secret, token_store=TokenStore(settings.twitch.token_file),
            helix_url=settings.twitch.helix, id_url=settings.twitch.id_base,
            eventsub_ws_url=settings.twitch.eventsub_ws,
            max_channels=settings.ingest.max_channels,
            buffer_limit=settings.ingest.buffer_messages,
            validate_interval_s=settings.ingest.validate_interval_s, static_channels=static,
            shard=settings.ingest.shard, postgres_dsn=settings.postgres.url,
            heartbeat_s=settings.ingest.heartbeat_s,
            shard_dead_after_s=settings.monitor.shard_dead_after_s)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class IngestStats:
    counts: Counter = field(default_factory=Counter)  # received, published via publisher...
    subscribed: set[str] = field(default_factory=set)
    started_at: float = field(default_factory=time.time)


class ChatIngestService:
    def __init__(self, config: IngestConfig) -> None:
        self.config = config
        self.book = ChannelBook(config.static_channels, config.max_channels)
        self.publisher = ChatPublisher(config.bootstrap_servers,
                                       buffer_limit=config.buffer_limit,
                                       flush_timeout_s=config.flush_timeout_s)
        self.stats = IngestStats()
        self.client: twitchio.Client | None = None
        self.user_id: str | None = None
        self.ready = asyncio.Event()  # set once logged in, with the token added
        self._changed = asyncio.Event()
        self._failed_at: dict[str, float] = {}
        # Why the token cannot be used any more (never the token); a shard reports it.
        self.auth_problem: str | None = None
        self.membership: ShardMembership | None = None
        # The opt-out registry, cached (re-read every few seconds, not per message); set by
        # the entry point. Opted-out users' and channels' chat is dropped here and counted.
        self.optouts: CachedOptOuts | None = None

    # ---------- the wire sink (called synchronously from twitchio's socket reader) ----------

    def chat(self, notification: ChatNotification | dict, raw: str | bytes) -> None:
        self.stats.counts["received"] += 1
        try:
            record = record_from_notification(notification)
        except MalformedEvent as error:
            self.malformed(raw, str(error))
            return
        if self.optouts is not None and self.optouts.current().drops_message(record):
            self.stats.counts["optout_dropped"] += 1
            return
        self.publisher.offer(Outgoing(
            CHAT_MESSAGES, record["broadcaster_id"].encode(), _encode_json(record),
            record["broadcaster_id"], record["timestamp"]))

    def malformed(self, raw: str | bytes, error: str, location: str = "eventsub") -> None:
        self.stats.counts["dead_letters"] += 1
        log.warning("dead-lettered a malformed %s event: %s", location, error)
        letter = dead_letter(origin=ORIGIN, error=error, raw=raw[:MAX_DEAD_LETTER_RAW],
                             timestamp=int(time.time() * 1000), location=location)
        self.publisher.offer(Outgoing(DEAD_LETTERS, None, _encode_json(letter)))

    # ---------- running ----------

    async def run(self, stop: asyncio.Event) -> None:
        config = self.config
        try:
            token = config.token_store.load()
        except TokenFileError as error:
            raise IngestStartupError(str(error)) from None
        self.user_id = token.user_id
        publisher_stop = asyncio.Event()
        publisher = asyncio.create_task(self.publisher.run(publisher_stop), name="publisher")
        tasks: list[asyncio.Task] = []
        with wire.sink_context(self):
            wire.point_twitchio_at(helix_url=config.helix_url, id_url=config.id_url,
                                   eventsub_ws_url=config.eventsub_ws_url)
            client = twitchio.Client(client_id=config.client_id,
                                     client_secret=config.client_secret,
                                     bot_id=token.user_id, fetch_client_user=False)
            client.add_listener(self._on_token_refreshed, event="event_token_refreshed")
            self.client = client
            try:
                await self._login(client, token.access_token, token.refresh_token)
                if config.shard:
                    await self._join_shards(token.user_id, token.login)
                self.ready.set()
                if self.membership is not None:
                    tasks.append(asyncio.create_task(self.membership.run(stop), name="shard"))
                elif config.follow_lifecycle:
                    tasks.append(asyncio.create_task(follow_lifecycle(
                        config.bootstrap_servers, self._on_lifecycle, self._on_bad_lifecycle,
                        stop), name="lifecycle"))
                tasks.append(asyncio.create_task(self._reconcile_loop(stop), name="reconcile"))
                tasks.append(asyncio.create_task(self._validate_loop(stop), name="validate"))
                await stop.wait()
                log.info("stopping: closing EventSub, then flushing %d buffered records",
                         self.publisher.buffered)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await client.close()
                publisher_stop.set()
                await publisher
        log.info("chat ingest stopped: %s", self.summary())

    async def _login(self, client: twitchio.Client, access: str, refresh: str) -> None:
        try:
            await client.login(load_tokens=False, save_tokens=False)
            await client.add_token(access, refresh)
        except twitchio.InvalidTokenException:
            # Its message contains the token: say what happened without it.
            raise IngestStartupError(
                "the stored Twitch token is invalid and could not be refreshed: "
                "run `uv run chatlake auth seed` again") from None
        except twitchio.HTTPException as error:
            raise IngestStartupError(
                f"Twitch refused the app credentials (HTTP {error.status})") from None

    def summary(self) -> dict:
        return {"received": self.stats.counts["received"],
                "dead_letters": self.stats.counts["dead_letters"],
                "published": self.publisher.stats["published"],
                "dropped": self.publisher.stats["dropped"],
                "buffered": self.publisher.buffered,
                "channels": len(self.stats.subscribed)}

    # ---------- channels ----------

    async def _join_shards(self, user_id: str, login: str) -> None:
        config = self.config
        if not config.postgres_dsn:
            raise IngestStartupError("a shard needs PostgreSQL (CHATLAKE_POSTGRES_DSN)")
        self.membership = ShardMembership(
            self, config.postgres_dsn, config.shard or login, user_id=user_id,
            user_login=login, cap=max(0, config.max_channels - len(config.static_channels)),
            heartbeat_s=config.heartbeat_s, dead_after_s=config.shard_dead_after_s)
        try:
            await self.membership.register()
        except ShardConflict as error:
            raise IngestStartupError(str(error)) from None

    def channels_read(self) -> int:
        return len(self.stats.subscribed)

    def channels_changed(self) -> None:
        self._changed.set()

    def _on_lifecycle(self, event: dict) -> None:
        self.book.apply(event)
        self._changed.set()

    def _on_bad_lifecycle(self, raw: bytes, error: str, location: str) -> None:
        self.malformed(raw, error, location)

    async def _reconcile_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._reconcile()
            except Exception:  # one bad round must not end the service
                log.exception("subscription reconcile failed; retrying")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), self.config.reconcile_interval_s)

    def _current(self) -> dict[str, list[str]]:
        assert self.client is not None
        subscribed: dict[str, list[str]] = {}
        for sub_id, data in self.client.websocket_subscriptions().items():
            if data.type.value == CHAT_MESSAGE:
                channel = data.condition.get("broadcaster_user_id", "")
                subscribed.setdefault(channel, []).append(sub_id)
        return subscribed

    async def _reconcile(self) -> None:
        assert self.client is not None
        wanted = self.book.wanted()
        current = self._current()
        for channel in set(current) - set(wanted):
            for sub_id in current[channel]:
                # force: forget it locally even if Twitch already dropped it.
                with contextlib.suppress(ValueError, twitchio.HTTPException):
                    await self.client.delete_websocket_subscription(sub_id, force=True)
            log.info("left the chat of channel %s", channel)
        now = time.monotonic()
        for channel in wanted:
            if channel in current or now - self._failed_at.get(channel, -1e9) < 2.0:
                continue
            await self._subscribe(channel)
        self.stats.subscribed = set(self._current())

    async def _subscribe(self, channel: str) -> None:
        assert self.client is not None and self.user_id is not None
        payload = eventsub.ChatMessageSubscription(broadcaster_user_id=channel,
                                                   user_id=self.user_id)
        try:
            await self.client.subscribe_websocket(payload, token_for=self.user_id)
        except (twitchio.HTTPException, twitchio.WebsocketConnectionException,
                ValueError) as error:
            self._failed_at[channel] = time.monotonic()
            status = getattr(error, "status", None)
            log.warning("subscribing to the chat of %s failed (%s%s); will retry", channel,
                        type(error).__name__, f" {status}" if status else "")
            return
        self._failed_at.pop(channel, None)
        log.info("reading the chat of channel %s", channel)

    # ---------- tokens ----------

    async def _on_token_refreshed(self, payload: twitchio.TokenRefreshedPayload) -> None:
        """twitchio saves tokens only on close: persist each refresh now (refresh tokens
        rotate, so the old pair is useless after a crash)."""
        if payload.user_id != self.user_id:
            return
        try:
            self.config.token_store.update(access_token=payload.token,
                                           refresh_token=payload.refresh_token)
        except (OSError, TokenFileError) as error:
            log.error("could not persist the refreshed Twitch token: %s", error)
            return
        self.stats.counts["token_refreshes"] += 1
        log.info("Twitch token refreshed and saved to %s", self.config.token_store.path)

    async def _validate_loop(self, stop: asyncio.Event) -> None:
        """Validate the token every `validate_interval_s` (Twitch asks apps to do so hourly)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.validate_interval_s)
            if stop.is_set():
                return
            await self._validate_once()

    async def _validate_once(self) -> None:
        assert self.client is not None and self.user_id is not None
        data = self.client.tokens.get(self.user_id)
        if data is None:
            self.auth_problem = "dropped by twitchio (invalid and not refreshable)"
            log.critical("the Twitch token was dropped by twitchio (invalid and not "
                         "refreshable): run `uv run chatlake auth seed` and restart")
            return
        try:
            await self.client.http.validate_token(data["token"])
            self.stats.counts["validations"] += 1
            self.auth_problem = None
            return
        except twitchio.HTTPException as error:
            # 400: twitchio met the 401 itself and its refresh was refused (a revoked grant).
            if error.status not in (400, 401):
                log.warning("token validation failed with HTTP %s; will retry", error.status)
                return
        log.warning("the Twitch token no longer validates; refreshing it")
        try:
            refreshed = await self.client.http.refresh_token(data["refresh"])
            await self.client.add_token(refreshed.access_token, refreshed.refresh_token)
        except (twitchio.HTTPException, twitchio.InvalidTokenException):
            self.auth_problem = "invalid and the refresh was refused"
            log.critical("the Twitch token is invalid and cannot be refreshed: "
                         "run `uv run chatlake auth seed` and restart")
            return
        self.auth_problem = None
        self.config.token_store.update(access_token=refreshed.access_token,
                                       refresh_token=refreshed.refresh_token)
        self.stats.counts["token_refreshes"] += 1
        log.info("Twitch token refreshed after validation and saved")
