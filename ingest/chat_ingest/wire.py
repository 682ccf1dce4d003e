"""Take chat notifications off twitchio's EventSub socket before its models see them.

twitchio parses every frame with the module global `twitchio.eventsub.websockets._from_json`
(like its URL globals, there is no option for it). We wrap it: inside a service's context
(a ContextVar, inherited by the socket tasks twitchio starts from the service's task) chat
notifications and anything malformed go to the service's sink, and twitchio is handed a
keepalive in their place, which it only notes. A well-formed chat notification is decoded
straight into typed structs (`notification.decode_chat_frame`, the hot path); anything else
is parsed the way twitchio does and looked at as dicts. Session messages (welcome, keepalive,
reconnect, revocation) and other notification types pass through unchanged, so twitchio
still runs the session: connect, welcome, keepalive watchdog, reconnect, re-subscription.

Why not twitchio's `event_message`: a payload its model cannot parse is logged and lost
inside twitchio (no dead letter possible), a frame that is JSON but not an object kills its
listener task, and the model has no send time. Outside a service context the wrapper is a
pass-through.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Protocol

import twitchio.eventsub.websockets as twitchio_websockets

from ingest.chat_ingest.notification import CHAT_MESSAGE, ChatNotification, decode_chat_frame

# What twitchio gets instead of a frame we took: it only records that the socket is alive.
_TAKEN = {"metadata": {"message_type": "session_keepalive"}, "payload": {}}


class WireSink(Protocol):
    def chat(self, notification: ChatNotification | dict, raw: str | bytes) -> None: ...

    def malformed(self, raw: str | bytes, error: str) -> None: ...


_sink: ContextVar[WireSink | None] = ContextVar("chat_ingest_wire_sink", default=None)
_original_from_json = twitchio_websockets._from_json


def _from_json(data: str | bytes) -> Any:
    sink = _sink.get()
    if sink is None:
        return _original_from_json(data)
    notification = decode_chat_frame(data)  # the hot path: a well-formed chat message
    if notification is not None:
        sink.chat(notification, data)
        return _TAKEN
    try:
        parsed = _original_from_json(data)
    except ValueError as error:  # orjson and json both raise ValueError subclasses
        sink.malformed(data, f"frame is not JSON: {error}")
        return _TAKEN
    metadata = parsed.get("metadata") if isinstance(parsed, dict) else None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("message_type"), str):
        sink.malformed(data, "frame is not an EventSub message (no metadata.message_type)")
        return _TAKEN
    if metadata["message_type"] == "notification" and (
            metadata.get("subscription_type") == CHAT_MESSAGE):
        sink.chat(parsed, data)  # a chat notification the typed decoding refused
        return _TAKEN
    return parsed


def install() -> None:
    """Wrap twitchio's frame parser (idempotent)."""
    twitchio_websockets._from_json = _from_json


@contextlib.contextmanager
def sink_context(sink: WireSink) -> Iterator[None]:
    """Frames parsed by sockets created inside this block (and their reconnects) go to sink."""
    install()
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def point_twitchio_at(*, helix_url: str, id_url: str, eventsub_ws_url: str) -> None:
    """twitchio has no URL options; its base URLs are module globals (see DESIGN)."""
    import twitchio.http

    twitchio.http.Route.BASE = helix_url
    twitchio.http.Route.ID_BASE = id_url
    twitchio_websockets.WSS = eventsub_ws_url
