"""`TwitchStandIn`: the aiohttp server and its control methods (see the package docstring)."""

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
from aiohttp import web

from core.listening import announce, is_loopback
from core.settings import STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET
from standin import chat_payload, control, helix, oauth
from standin.eventsub import EventSubHub, Pending
from standin.faults import Fault, Faults
from standin.state import DEFAULT_SCOPES, App, Stream, Token, User, Vod, World

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_CLIENT_ID = STANDIN_CLIENT_ID
DEFAULT_CLIENT_SECRET = STANDIN_CLIENT_SECRET
DEFAULT_BOT = ("100000001", "chatlake_bot")


class TwitchStandIn:
    """A Twitch stand-in on 127.0.0.1. Use `async with`, or `start_in_thread()` from sync code.

    It starts with one registered app (`client_id`/`client_secret`) and one user, the bot
    (`bot_id`/`bot_login`), who is the one "logged in" at /oauth2/authorize.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, clip_delay_s: float = 2.0,
                 welcome_timeout_s: float = 10.0, chat_buffer_limit: int = 100_000,
                 track_deliveries: bool = False,
                 client_id: str = DEFAULT_CLIENT_ID,
                 client_secret: str = DEFAULT_CLIENT_SECRET,
                 allow_remote: bool = False) -> None:
        # It hands out tokens to anyone who asks and takes control requests without a
        # password: on a network address it would be an open door, so only when asked to.
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"the Twitch stand-in refuses to listen on {host!r}, which other "
                             "machines can reach; pass allow_remote=True (--allow-remote) "
                             "if you mean it")
        self.host, self.port = host, port
        self.clip_delay_s = clip_delay_s
        self.world = World()
        self.faults = Faults()
        self.hub = EventSubHub(welcome_timeout_s=welcome_timeout_s,
                               buffer_limit=chat_buffer_limit,
                               track_deliveries=track_deliveries)
        self.events: list[tuple[str, Any]] = []  # ("refreshed", user_id), ... for tests
        self.client_id, self.client_secret = client_id, client_secret
        self.world.apps[client_id] = App(client_id, client_secret)
        self.bot_id, self.bot_login = DEFAULT_BOT
        self.world.users[self.bot_id] = User(self.bot_id, self.bot_login, "ChatlakeBot")
        self.world.authorizing_user = self.bot_id
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._thread_stop: asyncio.Event | None = None

    # ---------- addresses ----------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def helix_url(self) -> str:
        return f"{self.base_url}/helix/"

    @property
    def auth_url(self) -> str:
        """pyTwitchAPI's `auth_base_url` (ends in /oauth2/)."""
        return f"{self.base_url}/oauth2/"

    @property
    def id_url(self) -> str:
        """twitchio's `Route.ID_BASE` (its paths start with oauth2/)."""
        return f"{self.base_url}/"

    @property
    def eventsub_ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    # ---------- life cycle ----------

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._fault_middleware], client_max_size=64 << 20)
        app.add_routes(oauth.routes(self) + helix.routes(self) + control.routes(self))
        app.router.add_get("/ws", self.hub.handle)
        return app

    @web.middleware
    async def _fault_middleware(self, request: web.Request,
                                handler: Callable) -> web.StreamResponse:
        if not request.path.startswith("/_standin/"):
            injected = self.faults.take(request)
            if injected is not None:
                return injected
        return await handler(request)

    async def start(self) -> "TwitchStandIn":
        self._loop = asyncio.get_running_loop()
        # No access log: its request lines carry query strings, and an OAuth token request
        # can put the client secret in one (twitchio does); secrets never go to logs.
        self._runner = web.AppRunner(self.build_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self.hub.ws_url = self.eventsub_ws_url
        announce("Twitch stand-in", self.host, self.port)
        return self

    async def stop(self) -> None:
        for session in list(self.hub.sessions.values()):
            self.hub.disconnect(session)
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "TwitchStandIn":
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def start_in_thread(self) -> "TwitchStandIn":
        """Run the server on its own event loop in a daemon thread; returns once it listens."""
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            self._thread_stop = asyncio.Event()
            try:
                await self.start()
            except BaseException as error:
                failure.append(error)
                ready.set()
                raise
            ready.set()
            await self._thread_stop.wait()
            await self.stop()

        self._thread = threading.Thread(target=asyncio.run, args=(serve(),),
                                        name="twitch-standin", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop_thread(self) -> None:
        if self._thread is None or self._loop is None or self._thread_stop is None:
            return
        self._loop.call_soon_threadsafe(self._thread_stop.set)
        self._thread.join(10)
        self._thread = None

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the server's loop (state is only touched there) and return its result."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return fn(*args, **kwargs)
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is loop:
            return fn(*args, **kwargs)
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:
                future.set_exception(error)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    def note(self, kind: str, value: Any) -> None:
        self.events.append((kind, value))

    # ---------- control: apps, users, tokens ----------

    def register_app(self, client_id: str, client_secret: str) -> App:
        return self._call(self.world.apps.setdefault, client_id, App(client_id, client_secret))

    def add_user(self, login: str, user_id: str | None = None,
                 display_name: str | None = None) -> User:
        def add() -> User:
            uid = user_id or str(200_000_000 + len(self.world.users))
            user = User(uid, login.lower(), display_name or login)
            self.world.users[uid] = user
            return user

        return self._call(add)

    def issue_user_token(self, user_id: str | None = None, *, client_id: str | None = None,
                         scopes: tuple[str, ...] = DEFAULT_SCOPES,
                         expires_in: int | None = None) -> Token:
        """A user access + refresh token, as if the user had authorized the app."""
        return self._call(self.world.issue, client_id=client_id or self.client_id,
                          user_id=user_id or self.bot_id, scopes=tuple(scopes),
                          expires_in=expires_in)

    def set_authorizing_user(self, user_id: str) -> None:
        self._call(setattr, self.world, "authorizing_user", user_id)

    def expire_token(self, access_token: str | None = None, *,
                     user_id: str | None = None) -> int:
        """Expire one access token, or every access token of a user; returns how many."""

        def expire() -> int:
            hit = [t for t in self.world.tokens.values()
                   if t.access_token == access_token or (user_id and t.user_id == user_id)]
            for token in hit:
                token.expires_at = time.time() - 1
            return len(hit)

        return self._call(expire)

    def revoke_authorization(self, user_id: str) -> int:
        """The user disconnected the app: every token of theirs stops working (access and
        refresh) and their EventSub subscriptions are revoked; returns the subscriptions."""

        def revoke() -> int:
            for token in [*self.world.tokens.values(), *self.world.refresh_tokens.values()]:
                if token.user_id == user_id:
                    token.revoked = True
            for key in [k for k, t in self.world.refresh_tokens.items()
                        if t.user_id == user_id]:
                del self.world.refresh_tokens[key]
            return self.hub.revoke_user(user_id)

        return self._call(revoke)

    def deliveries(self) -> dict[str, str]:
        """Chat message id -> the user whose session it was last written to
        (`track_deliveries`)."""
        return self._call(lambda: dict(self.hub.deliveries or {}))

    # ---------- control: streams, clips ----------

    def set_streams(self, streams: list[dict | Stream], *, page_overlap: int = 0) -> None:
        """The live streams, in ranking order (Get Streams returns them in this order).

        A dict needs `user_id` and `user_login`, and may give `viewer_count`, `game_name`,
        `game_id`, `title`, `started_at` (ISO 8601; default an hour ago), `language`.
        Every streamer becomes a user. `page_overlap`: each next page of Get Streams repeats
        that many items of the page before, as Twitch's shifting pages do.
        """
        started = (datetime.now(tz=UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows: list[Stream] = []
        for rank, item in enumerate(streams):
            if isinstance(item, dict):
                item = Stream(**{"viewer_count": max(1, 100_000 - rank * 1000),
                                 "started_at": started, **item})
            rows.append(item)

        def apply() -> None:
            self.world.streams = rows
            self.world.streams_page_overlap = page_overlap
            for stream in rows:
                if stream.user_id not in self.world.users:
                    self.world.users[stream.user_id] = User(
                        stream.user_id, stream.user_login.lower(), stream.user_login)

        self._call(apply)

    def forbid_clips(self, broadcaster_id: str, forbidden: bool = True) -> None:
        change = self.world.clip_forbidden.add if forbidden else self.world.clip_forbidden.discard
        self._call(change, broadcaster_id)

    def add_vod(self, vod_id: str, user_id: str, length_s: int) -> None:
        """A past broadcast of `user_id` that Create Clip from VOD can cut."""
        self._call(self.world.vods.__setitem__, vod_id, Vod(vod_id, user_id, length_s))

    def add_editor(self, broadcaster_id: str, user_id: str) -> None:
        """Make `user_id` (e.g. the bot) an editor of the channel: it may clip its VODs."""
        self._call(lambda: self.world.editors.setdefault(broadcaster_id, set()).add(user_id))

    def clips(self) -> list[dict]:
        """Every clip created so far, visible or not yet, oldest first."""

        def listing() -> list[dict]:
            now = time.time()
            return [{**c.helix(self.base_url), "visible": c.visible_at <= now}
                    for c in self.world.clips.values()]

        return self._call(listing)

    # ---------- control: faults ----------

    def add_fault(self, path: str, status: int, *, count: int = 1, method: str | None = None,
                  ratelimit_reset_s: float = 1.0, message: str | None = None) -> Fault:
        """The next `count` calls on `path` (e.g. "/helix/clips") answer `status`."""
        return self._call(self.faults.add, Fault(path, status, count, method,
                                                 ratelimit_reset_s, message))

    def clear_faults(self) -> None:
        self._call(self.faults.clear)

    def drop_eventsub_sockets(self) -> int:
        """Cut every EventSub connection without a close frame; returns how many."""
        return self._call(self.hub.drop_sockets)

    def send_session_reconnect(self) -> int:
        """Send `session_reconnect` to every session (their subscriptions move over)."""

        def schedule() -> concurrent.futures.Future:
            return asyncio.ensure_future(self.hub.send_reconnect())

        self._call(schedule)
        return len(self.hub.sessions)

    # ---------- control: chat ----------

    def push_chat(self, broadcaster_id: str, text: str, *, user_id: str = "300000001",
                  user_login: str = "viewer1", broadcaster_login: str | None = None,
                  message_id: str | None = None, emotes: list[dict] | None = None,
                  badges: list[dict] | None = None, timestamp_ms: int | None = None,
                  **event_fields: Any) -> str:
        """Send one chat message to the channel's subscribers (or its buffer); returns its id.

        `emotes`: [{"emote_id", "begin", "end"}] code-point ranges; `badges`:
        [{"set_id", "version"}]. More fields: see `chat_payload.chat_event`.
        """
        login = broadcaster_login or self.login_of(broadcaster_id)
        event = chat_payload.chat_event(
            broadcaster_id=broadcaster_id, broadcaster_login=login, text=text,
            chatter_id=user_id, chatter_login=user_login, message_id=message_id,
            emotes=emotes, badges=badges, **event_fields)
        self.push_event(event, timestamp_ms=timestamp_ms)
        return event["message_id"]

    def push_event(self, event: dict, *, timestamp_ms: int | None = None) -> None:
        """Send a ready `channel.chat.message` event (e.g. from `chat_payload.chat_event`)."""
        pending = Pending(broadcaster_id=event["broadcaster_user_id"],
                          event=orjson.dumps(event), chat_id=event.get("message_id"))
        if timestamp_ms is not None:
            pending.timestamp = chat_payload.rfc3339_nanos(timestamp_ms)
        self._call(self.hub.push, pending)

    def push_events(self, events: list[tuple[dict, int | None]]) -> None:
        """Many (event, timestamp_ms or None) at once: one hop to the server's loop."""
        items = []
        for event, timestamp_ms in events:
            pending = Pending(broadcaster_id=event["broadcaster_user_id"],
                              event=orjson.dumps(event), chat_id=event.get("message_id"))
            if timestamp_ms is not None:
                pending.timestamp = chat_payload.rfc3339_nanos(timestamp_ms)
            items.append(pending)
        self._call(lambda: [self.hub.push(p) for p in items])

    def push_raw(self, broadcaster_id: str, frame: str | bytes) -> None:
        """Send a raw WebSocket text frame (malformed JSON, invalid UTF-8 bytes, ...) where the
        channel's next notification would go."""
        self._call(self.hub.push, Pending(broadcaster_id=broadcaster_id, raw=frame))

    def subscriptions(self) -> list[dict]:
        return self._call(lambda: [dict(s) for s in self.hub.subscriptions.values()])

    def stats(self) -> dict:
        """Counters: pushed, delivered, buffered, queued, sessions, enabled_subscriptions..."""
        return self._call(self.hub.stats)

    def login_of(self, broadcaster_id: str) -> str:
        user = self.world.users.get(broadcaster_id)
        return user.login if user else f"channel{broadcaster_id}"
