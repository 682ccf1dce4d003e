"""EventSub over WebSocket: sessions, subscriptions, and delivery of chat without loss.

Protocol as Twitch speaks it: `session_welcome` first; `session_keepalive` when nothing else
was sent for `keepalive_timeout_seconds`; `notification` envelopes; `session_reconnect` on
request (the subscriptions move to the new connection, `?reconnect=<old session>`); close
4001 when the client sends a data frame (pings are fine), 4003 when no subscription arrives
within the welcome timeout.

"No loss", as the stand-in defines it: a chat message pushed for a channel is written to
exactly one connected session that holds an enabled `channel.chat.message` subscription for
that channel. While no such subscription exists (never subscribed yet, socket dropped,
re-subscription pending) the channel's messages wait in a bounded per-channel buffer, as a
broadcaster's chat goes on while a reader is away; messages queued for a session that drops
before they were written go back to the front of that buffer. The buffer is flushed, in
order, to the next subscription for the channel. Only a full buffer drops (oldest first), and
`stats()["buffer_dropped"]` counts it. (Twitch itself keeps nothing for a channel nobody
subscribes to: the buffer makes the stand-in stricter than Twitch, never looser.)

Limits, as Twitch enforces them on WebSocket transports (docs "Handling WebSocket events",
"Subscription limits"; the wording of the 429s as Twitch answers them where it is known):
at most 300 enabled subscriptions a session (429), 3 sessions a user with enabled
subscriptions (429 "number of websocket transports limit exceeded"), one subscription per
type and condition and user (409 "subscription already exists"), and `channel.chat.message`
for at most 100 channels a user (429). Disconnected or revoked subscriptions count toward
none of them. `stats()` counts rejections and the most chat channels any user held.

`track_deliveries`: remember which user's session each chat message was written to, so a test
can tell a message that died with a killed reader (written to its socket, never acknowledged:
Twitch has no acknowledgement and no replay) from one the path lost.
"""

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from aiohttp import WSMsgType, web

from standin import chat_payload
from standin.state import Token

log = logging.getLogger(__name__)

CHAT_MESSAGE = "channel.chat.message"
MAX_SUBSCRIPTIONS_PER_SESSION = 300
MAX_SESSIONS_PER_USER = 3
MAX_CHAT_CHANNELS_PER_USER = 100


def now_rfc3339() -> str:
    moment = datetime.now(tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


@dataclass
class Pending:
    """One chat message (or a raw, possibly malformed frame) waiting for delivery."""

    broadcaster_id: str
    event: bytes | None = None  # the event object, JSON-encoded once when pushed
    raw: str | bytes | None = None
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))  # the envelope's
    timestamp: str = field(default_factory=now_rfc3339)
    chat_id: str | None = None  # the chat message's own id (event.message_id)


@dataclass
class Session:
    session_id: str
    ws: web.WebSocketResponse
    keepalive_s: int
    user_id: str | None = None
    connected: bool = True
    subscribed: bool = False
    queue: deque = field(default_factory=deque)  # (Pending, subscription dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task] = field(default_factory=list)
    connected_at: str = field(default_factory=now_rfc3339)
    transport: asyncio.BaseTransport | None = None


class SubscriptionError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class EventSubHub:
    def __init__(self, *, ws_url: str = "", welcome_timeout_s: float = 10.0,
                 buffer_limit: int = 100_000, track_deliveries: bool = False) -> None:
        self.ws_url = ws_url  # set by the server once its port is known
        self.welcome_timeout_s = welcome_timeout_s
        self.buffer_limit = buffer_limit
        self.sessions: dict[str, Session] = {}
        self.subscriptions: dict[str, dict] = {}
        self.chat_route: dict[str, str] = {}  # broadcaster id -> enabled subscription id
        self.buffers: dict[str, deque[Pending]] = {}
        self._sub_json_cache: dict[str, tuple[str, bytes]] = {}  # id -> (session, JSON)
        self.counters = {"pushed": 0, "delivered": 0, "buffer_dropped": 0, "closed_4001": 0,
                         "closed_4003": 0, "dropped_sockets": 0, "connections": 0,
                         "limit_rejections": 0, "revoked": 0}
        self.max_chat_channels: dict[str, int] = {}  # user id -> most chat subs held at once
        self.deliveries: dict[str, str] | None = {} if track_deliveries else None

    # ---------- the socket ----------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        try:
            keepalive = int(request.query.get("keepalive_timeout_seconds", "10"))
        except ValueError:
            keepalive = 0
        if not 10 <= keepalive <= 600:
            raise web.HTTPBadRequest(text="keepalive_timeout_seconds must be 10-600")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session = Session(session_id=f"AgoQ{uuid.uuid4().hex}", ws=ws, keepalive_s=keepalive,
                          transport=request.transport)
        self.sessions[session.session_id] = session
        self.counters["connections"] += 1
        old = self.sessions.get(request.query.get("reconnect", ""))
        await self._send_session(session, "session_welcome", session_dict(session, "connected"))
        if old is not None:
            self._migrate(old, session)
        session.tasks.append(asyncio.create_task(self._writer(session)))
        if not session.subscribed:
            session.tasks.append(asyncio.create_task(self._close_if_unused(session)))
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    # Twitch: clients must never send; doing so ends the connection.
                    self.counters["closed_4001"] += 1
                    await ws.close(code=4001, message=b"client sent inbound traffic")
                    break
        finally:
            self.disconnect(session)
        return ws

    async def _writer(self, session: Session) -> None:
        ws = session.ws
        while session.connected:
            if not session.queue:
                session.wake.clear()
                try:
                    await asyncio.wait_for(session.wake.wait(), session.keepalive_s)
                except TimeoutError:
                    await self._send_session(session, "session_keepalive", None)
                    continue
            while session.queue and session.connected:
                pending, sub = session.queue[0]
                try:
                    if pending.raw is None:
                        frame = chat_payload.notification_bytes(
                            self._sub_json(sub), sub, pending.event,
                            message_id=pending.message_id, timestamp=pending.timestamp)
                        await ws.send_frame(frame, WSMsgType.TEXT)
                    elif isinstance(pending.raw, bytes):
                        await ws.send_frame(pending.raw, WSMsgType.TEXT)
                    else:
                        await ws.send_str(pending.raw)
                except (ConnectionError, RuntimeError):
                    return  # disconnect() puts what is left back into the channel buffers
                if session.queue and session.queue[0][0] is pending:
                    session.queue.popleft()
                    self.counters["delivered"] += 1
                    if self.deliveries is not None:
                        self.deliveries[pending.chat_id or pending.message_id] = (
                            session.user_id or "")

    def _sub_json(self, sub: dict) -> bytes:
        cached = self._sub_json_cache.get(sub["id"])
        if cached is None or cached[0] != sub["session_id"]:
            cached = (sub["session_id"],
                      orjson.dumps(chat_payload.subscription_object(sub)))
            self._sub_json_cache[sub["id"]] = cached
        return cached[1]

    async def _close_if_unused(self, session: Session) -> None:
        await asyncio.sleep(self.welcome_timeout_s)
        if session.connected and not session.subscribed:
            self.counters["closed_4003"] += 1
            await session.ws.close(code=4003, message=b"connection unused")

    async def _send_session(self, session: Session, kind: str, payload: dict | None) -> None:
        message = chat_payload.session_message(kind, payload, now_rfc3339())
        with contextlib.suppress(ConnectionError, RuntimeError):
            await session.ws.send_str(orjson.dumps(message).decode())

    def disconnect(self, session: Session) -> None:
        """The socket is gone: disable its subscriptions and keep its undelivered chat."""
        if not session.connected:
            return
        session.connected = False
        session.wake.set()
        for task in session.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        for sub in self.subscriptions.values():
            if sub["session_id"] == session.session_id and sub["status"] == "enabled":
                sub["status"] = "websocket_disconnected"
                sub["transport"]["disconnected_at"] = now_rfc3339()
                self.chat_route.pop(sub["condition"].get("broadcaster_user_id", ""), None)
        for pending, _sub in reversed(session.queue):
            self._buffer(pending, front=True)
        session.queue.clear()
        self.sessions.pop(session.session_id, None)

    def _migrate(self, old: Session, new: Session) -> None:
        """session_reconnect: the subscriptions and the undelivered queue follow the client."""
        new.user_id, new.subscribed = old.user_id, old.subscribed
        for sub in self.subscriptions.values():
            if sub["session_id"] == old.session_id and sub["status"] == "enabled":
                sub["session_id"] = new.session_id
                sub["transport"]["session_id"] = new.session_id
        new.queue.extend(old.queue)
        old.queue.clear()
        new.wake.set()
        old.connected = False
        for task in old.tasks:
            task.cancel()
        self.sessions.pop(old.session_id, None)

    # ---------- faults ----------

    def drop_sockets(self) -> int:
        """Cut every connection without a close frame, as a network failure would."""
        dropped = 0
        for session in list(self.sessions.values()):
            self.disconnect(session)
            if session.transport is not None:
                session.transport.close()
            dropped += 1
        self.counters["dropped_sockets"] += dropped
        return dropped

    async def send_reconnect(self) -> int:
        sessions = [s for s in self.sessions.values() if s.connected]
        for session in sessions:
            info = session_dict(session, "reconnecting")
            info["reconnect_url"] = f"{self.ws_url}?reconnect={session.session_id}"
            await self._send_session(session, "session_reconnect", info)
        return len(sessions)

    # ---------- chat ----------

    def push(self, pending: Pending) -> None:
        self.counters["pushed"] += 1
        if not self._route(pending):
            self._buffer(pending)

    def _route(self, pending: Pending) -> bool:
        sub_id = self.chat_route.get(pending.broadcaster_id)
        if sub_id is None:
            return False
        sub = self.subscriptions[sub_id]
        session = self.sessions.get(sub["session_id"])
        if session is None or not session.connected:
            return False
        session.queue.append((pending, sub))
        session.wake.set()
        return True

    def _buffer(self, pending: Pending, *, front: bool = False) -> None:
        buffer = self.buffers.setdefault(pending.broadcaster_id, deque())
        if front:
            buffer.appendleft(pending)
        else:
            buffer.append(pending)
        while len(buffer) > self.buffer_limit:
            buffer.popleft()
            self.counters["buffer_dropped"] += 1

    def _flush(self, broadcaster_id: str) -> None:
        buffer = self.buffers.pop(broadcaster_id, None)
        while buffer:
            self._route(buffer.popleft())

    def buffered(self) -> dict[str, int]:
        return {channel: len(buf) for channel, buf in self.buffers.items() if buf}

    # ---------- subscriptions (Helix) ----------

    def create(self, token: Token, body: dict) -> dict:
        sub_type, version = body.get("type"), str(body.get("version", ""))
        condition, transport = body.get("condition"), body.get("transport")
        if not isinstance(sub_type, str) or not version or not isinstance(condition, dict):
            raise SubscriptionError(400, "type, version and condition are required")
        if not isinstance(transport, dict) or transport.get("method") != "websocket":
            raise SubscriptionError(400, "the stand-in supports the websocket transport only")
        if token.user_id is None:
            raise SubscriptionError(400, "websocket transports require a user access token")
        session = self.sessions.get(str(transport.get("session_id", "")))
        if session is None or not session.connected:
            raise SubscriptionError(
                400, "websocket transport session does not exist or has already disconnected")
        if session.user_id not in (None, token.user_id):
            raise SubscriptionError(400, "websocket session belongs to another user")
        if sub_type == CHAT_MESSAGE:
            self._check_chat(token, condition)
        self._check_limits(token, session, sub_type, condition)
        sub = {
            "id": str(uuid.uuid4()), "status": "enabled", "type": sub_type, "version": version,
            "condition": dict(condition),
            "transport": {"method": "websocket", "session_id": session.session_id,
                          "connected_at": session.connected_at},
            "created_at": now_rfc3339(), "cost": 0,
            "session_id": session.session_id, "user_id": token.user_id,
        }
        self.subscriptions[sub["id"]] = sub
        session.user_id, session.subscribed = token.user_id, True
        if sub_type == CHAT_MESSAGE:
            self.chat_route[condition["broadcaster_user_id"]] = sub["id"]
            held = sum(s["type"] == CHAT_MESSAGE and s["status"] == "enabled"
                       and s["user_id"] == token.user_id for s in self.subscriptions.values())
            self.max_chat_channels[token.user_id] = max(
                held, self.max_chat_channels.get(token.user_id, 0))
            self._flush(condition["broadcaster_user_id"])
        return sub

    def revoke_user(self, user_id: str) -> int:
        """The user withdrew the app's authorization: every enabled subscription of theirs
        becomes `authorization_revoked` (their chat stops); returns how many."""
        revoked = 0
        for sub in self.subscriptions.values():
            if sub["user_id"] == user_id and sub["status"] == "enabled":
                sub["status"] = "authorization_revoked"
                channel = sub["condition"].get("broadcaster_user_id", "")
                if self.chat_route.get(channel) == sub["id"]:
                    del self.chat_route[channel]
                revoked += 1
        self.counters["revoked"] += revoked
        return revoked

    def _check_chat(self, token: Token, condition: dict) -> None:
        if not condition.get("broadcaster_user_id") or not condition.get("user_id"):
            raise SubscriptionError(400, "condition needs broadcaster_user_id and user_id")
        if condition["user_id"] != token.user_id or "user:read:chat" not in token.scopes:
            raise SubscriptionError(403, "subscription missing proper authorization")

    def _check_limits(self, token: Token, session: Session, sub_type: str,
                      condition: dict) -> None:
        try:
            self._limits(token, session, sub_type, condition)
        except SubscriptionError as error:
            if error.status == 429:
                self.counters["limit_rejections"] += 1
            raise

    def _limits(self, token: Token, session: Session, sub_type: str, condition: dict) -> None:
        mine = [s for s in self.subscriptions.values()
                if s["user_id"] == token.user_id and s["status"] == "enabled"]
        if any(s["type"] == sub_type and s["condition"] == condition for s in mine):
            raise SubscriptionError(409, "subscription already exists")
        if sum(s["session_id"] == session.session_id for s in mine) >= (
                MAX_SUBSCRIPTIONS_PER_SESSION):
            raise SubscriptionError(429, "number of websocket subscriptions limit exceeded")
        sessions = {s["session_id"] for s in mine} | {session.session_id}
        if len(sessions) > MAX_SESSIONS_PER_USER:
            raise SubscriptionError(429, "number of websocket transports limit exceeded")
        if sub_type == CHAT_MESSAGE and sum(s["type"] == CHAT_MESSAGE for s in mine) >= (
                MAX_CHAT_CHANNELS_PER_USER):
            raise SubscriptionError(429, "a user reads the chat of at most 100 channels")

    def delete(self, token: Token, sub_id: str) -> None:
        sub = self.subscriptions.get(sub_id)
        if sub is None or sub["user_id"] != token.user_id:
            raise SubscriptionError(404, "subscription not found")
        del self.subscriptions[sub_id]
        channel = sub["condition"].get("broadcaster_user_id", "")
        if self.chat_route.get(channel) == sub_id:
            del self.chat_route[channel]

    def listing(self, token: Token, *, status: str | None = None, sub_type: str | None = None,
                user_id: str | None = None) -> list[dict]:
        subs = [s for s in self.subscriptions.values() if s["user_id"] == token.user_id]
        if status:
            subs = [s for s in subs if s["status"] == status]
        if sub_type:
            subs = [s for s in subs if s["type"] == sub_type]
        if user_id:
            subs = [s for s in subs if user_id in s["condition"].values()]
        return subs

    def stats(self) -> dict:
        return {**self.counters, "sessions": len(self.sessions),
                "enabled_subscriptions": sum(s["status"] == "enabled"
                                             for s in self.subscriptions.values()),
                "buffered": sum(len(b) for b in self.buffers.values()),
                "queued": sum(len(s.queue) for s in self.sessions.values()),
                "max_chat_channels": dict(self.max_chat_channels)}


def session_dict(session: Session, status: str) -> dict:
    return {"id": session.session_id, "status": status, "connected_at": session.connected_at,
            "keepalive_timeout_seconds": session.keepalive_s, "reconnect_url": None,
            "recovery_url": None}
