"""The part of a `channel.chat.message` notification the chat record is made of, as msgspec
structs.

Decoding a frame into these types parses, type-checks and drops the fields we do not keep
(message ids of sources, channel-points ids, reply bodies, emote formats...) in one pass in C,
without building a dict for every object on the wire: it is the per-message hot path of the
ingest service, about three times cheaper than parsing to dicts and mapping those. A frame that
does not decode is not necessarily bad (welcomes and keepalives have no event): the caller
falls back to the generic parse, which names what is wrong with a chat notification.
`gc=False`: decoded data holds no reference cycles, so the cyclic GC need not track it.
"""

import msgspec

CHAT_MESSAGE = "channel.chat.message"  # the EventSub subscription type


class Emote(msgspec.Struct, gc=False):
    id: str | None = None


class Fragment(msgspec.Struct, gc=False):
    text: str
    type: str | None = None
    emote: Emote | None = None


class Message(msgspec.Struct, gc=False):
    text: str
    fragments: list[Fragment]


class Badge(msgspec.Struct, gc=False):
    set_id: str
    id: str | None = None


class Cheer(msgspec.Struct, gc=False):
    bits: int = 0


class Reply(msgspec.Struct, gc=False):
    parent_message_id: str | None = None


class ChatEvent(msgspec.Struct, gc=False):
    broadcaster_user_id: str
    message_id: str
    message: Message
    broadcaster_user_login: str | None = None
    chatter_user_id: str | None = None
    chatter_user_login: str | None = None
    chatter_user_name: str | None = None
    badges: list[Badge] | None = None
    color: str | None = None
    message_type: str | None = None
    cheer: Cheer | None = None
    reply: Reply | None = None
    source_broadcaster_user_id: str | None = None


class Metadata(msgspec.Struct, gc=False):
    message_type: str
    message_timestamp: str
    subscription_type: str | None = None


class Payload(msgspec.Struct, gc=False):
    event: ChatEvent


class ChatNotification(msgspec.Struct, gc=False):
    metadata: Metadata
    payload: Payload


_decoder = msgspec.json.Decoder(ChatNotification)


def decode_chat_frame(raw: str | bytes) -> ChatNotification | None:
    """The frame as a chat notification, or None when it is anything else (or malformed)."""
    try:
        notification = _decoder.decode(raw)
    except msgspec.DecodeError:  # also ValidationError: JSON, but not this shape
        return None
    metadata = notification.metadata
    if metadata.message_type != "notification" or (
            metadata.subscription_type != CHAT_MESSAGE):
        return None
    return notification


def from_envelope(envelope: object) -> ChatNotification:
    """A parsed envelope (dicts) as the typed notification; raises msgspec.ValidationError."""
    return msgspec.convert(envelope, ChatNotification)
