"""One EventSub `channel.chat.message` notification -> one v1 chat record.

Mapped from the wire payload rather than twitchio's ChatMessage model: the model drops the
envelope's `metadata.message_timestamp` (chat events carry no other send time) and a payload
it cannot parse never reaches us, while here every problem becomes a MalformedEvent naming
the field, and the raw frame goes to the dead-letter topic.
"""

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from chatlake_contracts.chat import chat_message, validate_chat_message
from chatlake_contracts.errors import RecordError

from ingest.chat_ingest.notification import ChatNotification, Fragment, from_envelope

SUBSCRIBER_BADGES = frozenset({"subscriber", "founder"})
MOD_BADGES = frozenset({"moderator", "broadcaster"})
# Twitch sends "user_intro" for a chatter's first message in the channel; other message
# types say nothing about it, so the flag is then unknown (None), not False.
FIRST_MESSAGE_TYPE = "user_intro"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


class MalformedEvent(RecordError):
    """The notification does not have Twitch's shape; the message names the field."""


def _field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict):
        raise MalformedEvent(f"{where} must be an object")
    value = obj.get(key)
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise MalformedEvent(f"{where}.{key} must be {names}, got {type(value).__name__}")
    return value


def timestamp_ms(value: str) -> int:
    """Epoch ms of Twitch's RFC 3339 time with up to nanoseconds: 2023-07-19T14:56:51.634234626Z.

    Python 3.11's fromisoformat takes at most 6 fractional digits, so the fraction is cut.
    """
    head, dot, fraction = value.partition(".")
    if dot:
        zone = "+00:00"
        digits = fraction.rstrip("Zz")
        if "+" in digits or "-" in digits:
            cut = max(digits.find("+"), digits.find("-"))
            digits, zone = digits[:cut], digits[cut:]
        if not digits.isdigit():
            raise ValueError(f"bad fraction in {value!r}")
        return _whole_second_ms(head + zone) + int((digits + "000")[:3])
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_MS


@functools.lru_cache(maxsize=1024)
def _whole_second_ms(value: str) -> int:
    """Chat comes many messages a second: parse each second once."""
    return (datetime.fromisoformat(value) - _EPOCH) // _ONE_MS


def record_from_notification(notification: ChatNotification | Any) -> dict[str, Any]:
    """The v1 record of a channel.chat.message notification, typed (the hot path) or a parsed
    envelope of dicts; raises MalformedEvent naming the problem."""
    if not isinstance(notification, ChatNotification):
        try:
            notification = from_envelope(notification)
            # msgspec's JSON decoder refuses lone surrogates; a dict may still hold one.
            notification.payload.event.message.text.encode("utf-8")
        except msgspec.ValidationError as error:
            _explain(notification)  # raises MalformedEvent naming the field, in our words
            raise MalformedEvent(f"the notification does not have Twitch's shape: {error}") \
                from None
        except UnicodeEncodeError:
            raise MalformedEvent("event.message.text is not valid UTF-8 (lone surrogate)") \
                from None
    try:
        timestamp = timestamp_ms(notification.metadata.message_timestamp)
    except ValueError as error:
        raise MalformedEvent(f"metadata.message_timestamp is not a time: {error}") from None
    try:
        return validate_chat_message(_record(notification, timestamp))
    except RecordError as error:
        raise MalformedEvent(str(error)) from None


def _record(notification: ChatNotification, timestamp: int) -> dict[str, Any]:
    event = notification.payload.event
    text = event.message.text
    badges = event.badges
    if badges:
        badge_sets = {b.set_id for b in badges}
        is_subscriber = not badge_sets.isdisjoint(SUBSCRIBER_BADGES)
        is_mod = not badge_sets.isdisjoint(MOD_BADGES)
        badge_list = [{"set_id": b.set_id, "version": b.id} for b in badges]
    else:
        is_subscriber = is_mod = False
        badge_list = []
    cheer, reply = event.cheer, event.reply
    return chat_message(
        message_id=event.message_id,
        broadcaster_id=event.broadcaster_user_id,
        broadcaster_login=event.broadcaster_user_login,
        timestamp=timestamp,
        text=text,
        source="eventsub",
        user_id=event.chatter_user_id,
        user_name=event.chatter_user_login,
        user_display_name=event.chatter_user_name,
        is_first_message=True if event.message_type == FIRST_MESSAGE_TYPE else None,
        bits=cheer.bits if cheer else 0,
        reply_parent_message_id=reply.parent_message_id if reply else None,
        source_broadcaster_id=event.source_broadcaster_user_id,
        emotes=_emotes(text, event.message.fragments),
        badges=badge_list,
        is_subscriber=is_subscriber,
        is_mod=is_mod,
        color=event.color or None,
    )


def _emotes(text: str, fragments: list[Fragment]) -> list[dict[str, Any]]:
    """Emote positions as code-point [begin, end) of `text`, walking the fragments in order.

    Fragments tile the text; an emote whose fragment text does not sit at its running
    position (a payload that does not tile) is left out rather than misplaced.
    """
    emotes: list[dict[str, Any]] = []
    if len(fragments) == 1 and fragments[0].type == "text":
        return emotes  # most chat: one text fragment
    at = 0
    for fragment in fragments:
        piece = fragment.text
        end = at + len(piece)
        emote = fragment.emote
        if (fragment.type == "emote" and emote is not None and emote.id and piece
                and text[at:end] == piece):
            emotes.append({"emote_id": emote.id, "begin": at, "end": end})
        at = end
    return emotes


def _explain(envelope: Any) -> None:
    """Find what the typed conversion tripped over and raise MalformedEvent naming it."""
    metadata = _field(envelope, "metadata", dict, "message")
    event = _field(_field(envelope, "payload", dict, "message"), "event", dict, "payload")
    raw_time = _field(metadata, "message_timestamp", str, "metadata")
    try:
        timestamp_ms(raw_time)
    except ValueError as error:
        raise MalformedEvent(f"metadata.message_timestamp is not a time: {error}") from None
    message = _field(event, "message", dict, "event")
    text = _field(message, "text", str, "event.message")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent("event.message.text is not valid UTF-8 (lone surrogate)") from None
    for fragment in _field(message, "fragments", list, "event.message"):
        if not isinstance(fragment, dict) or not isinstance(fragment.get("text"), str):
            raise MalformedEvent("event.message.fragments must be objects with a text")
    for key in ("message_id", "broadcaster_user_id"):
        _field(event, key, str, "event")
    badges = event.get("badges") or []
    if not isinstance(badges, list) or not all(
            isinstance(b, dict) and "set_id" in b for b in badges):
        raise MalformedEvent("event.badges must be a list of objects with a set_id")
    for key in ("cheer", "reply"):
        if event.get(key) is not None and not isinstance(event[key], dict):
            raise MalformedEvent(f"event.{key} must be an object or null")
