"""Build `channel.chat.message` events and EventSub envelopes in Twitch's real shape.

An event's `message.fragments` split the text into text and emote pieces; emote positions
given here are code-point ranges [begin, end) of the text (the v1 record's convention).
"""

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

SUBSCRIBER_BADGES = ("subscriber", "founder")


def rfc3339_nanos(epoch_ms: int) -> str:
    """Twitch writes message timestamps with nanoseconds: 2023-07-19T14:56:51.634234626Z."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}000000Z"


def fragments(text: str, emotes: list[dict] | None) -> list[dict]:
    """Text/emote fragments covering `text`; emotes are {emote_id, begin, end} code points."""
    pieces: list[dict] = []
    at = 0
    for emote in sorted(emotes or [], key=lambda e: e["begin"]):
        begin, end = emote["begin"], emote["end"]
        if begin < at or end > len(text) or begin >= end:
            continue  # overlapping or out of range: keep the text as text
        if begin > at:
            pieces.append(_text_fragment(text[at:begin]))
        pieces.append({
            "type": "emote", "text": text[begin:end], "cheermote": None, "mention": None,
            "emote": {"id": str(emote["emote_id"]), "emote_set_id": "0", "owner_id": "0",
                      "format": ["static"]},
        })
        at = end
    if at < len(text) or not pieces:
        pieces.append(_text_fragment(text[at:]))
    return pieces


def _text_fragment(text: str) -> dict:
    return {"type": "text", "text": text, "cheermote": None, "emote": None, "mention": None}


def chat_event(
    *,
    broadcaster_id: str,
    broadcaster_login: str,
    text: str,
    chatter_id: str,
    chatter_login: str,
    chatter_name: str | None = None,
    message_id: str | None = None,
    emotes: list[dict] | None = None,
    badges: list[dict] | None = None,
    color: str | None = None,
    message_type: str = "text",
    bits: int = 0,
    reply_parent_message_id: str | None = None,
    source_broadcaster_id: str | None = None,
) -> dict[str, Any]:
    """The `event` object of a channel.chat.message notification."""
    reply = None
    if reply_parent_message_id:
        reply = {
            "parent_message_id": reply_parent_message_id, "parent_message_body": "",
            "parent_user_id": chatter_id, "parent_user_name": chatter_login,
            "parent_user_login": chatter_login, "thread_message_id": reply_parent_message_id,
            "thread_user_id": chatter_id, "thread_user_name": chatter_login,
            "thread_user_login": chatter_login,
        }
    return {
        "broadcaster_user_id": broadcaster_id,
        "broadcaster_user_login": broadcaster_login,
        "broadcaster_user_name": broadcaster_login,
        "chatter_user_id": chatter_id,
        "chatter_user_login": chatter_login,
        "chatter_user_name": chatter_name or chatter_login,
        "message_id": message_id or str(uuid.uuid4()),
        "message": {"text": text, "fragments": fragments(text, emotes)},
        "color": color or "",
        "badges": [{"set_id": b["set_id"], "id": b.get("version") or "1", "info": ""}
                   for b in badges or []],
        "message_type": message_type,
        "cheer": {"bits": bits} if bits else None,
        "reply": reply,
        "channel_points_custom_reward_id": None,
        "channel_points_animation_id": None,
        "source_broadcaster_user_id": source_broadcaster_id,
        "source_broadcaster_user_login": source_broadcaster_id and f"user{source_broadcaster_id}",
        "source_broadcaster_user_name": source_broadcaster_id and f"user{source_broadcaster_id}",
        "source_message_id": source_broadcaster_id and message_id,
        "source_badges": [] if source_broadcaster_id else None,
        "is_source_only": None,
    }


def event_from_record(record: dict, *, broadcaster_id: str | None = None,
                      broadcaster_login: str | None = None) -> dict[str, Any]:
    """A chat event from a v1 chat record (what the importers yield), e.g. for replay."""
    login = record.get("user_name") or "anonymous"
    metadata = record.get("metadata") or {}
    return chat_event(
        broadcaster_id=broadcaster_id or record["broadcaster_id"],
        broadcaster_login=broadcaster_login or record.get("broadcaster_login")
        or record["broadcaster_id"],
        text=record["text"],
        chatter_id=record.get("user_id") or stable_user_id(login),
        chatter_login=login,
        chatter_name=record.get("user_display_name"),
        message_id=None,  # a replayed message is a new message: it gets a fresh id
        emotes=metadata.get("emotes"),
        badges=metadata.get("badges"),
        color=metadata.get("color"),
        message_type="user_intro" if record.get("is_first_message") else "text",
        bits=record.get("bits") or 0,
        reply_parent_message_id=record.get("reply_parent_message_id"),
    )


def stable_user_id(login: str) -> str:
    """A numeric id for a chatter known only by login (text logs), the same every time."""
    digest = hashlib.blake2b(login.encode("utf-8", "surrogatepass"), digest_size=6).digest()
    return str(int.from_bytes(digest, "big") % 10**9 + 10**9)


def subscription_object(sub: dict) -> dict[str, Any]:
    return {
        "id": sub["id"], "status": sub["status"], "type": sub["type"],
        "version": sub["version"], "condition": sub["condition"],
        "transport": sub["transport"], "created_at": sub["created_at"], "cost": sub["cost"],
    }


def notification(sub: dict, event: dict, *, message_id: str, timestamp: str) -> dict:
    return {
        "metadata": {
            "message_id": message_id,
            "message_type": "notification",
            "message_timestamp": timestamp,
            "subscription_type": sub["type"],
            "subscription_version": sub["version"],
        },
        "payload": {"subscription": subscription_object(sub), "event": event},
    }


def notification_bytes(sub_json: bytes, sub: dict, event_json: bytes, *, message_id: str,
                       timestamp: str) -> bytes:
    """`notification()` already serialized, from the parts serialized once: the stand-in's
    delivery path, which has to outpace the service it feeds."""
    return (b'{"metadata":{"message_id":"%s","message_type":"notification",'
            b'"message_timestamp":"%s","subscription_type":"%s","subscription_version":"%s"},'
            b'"payload":{"subscription":%s,"event":%s}}') % (
        message_id.encode(), timestamp.encode(), sub["type"].encode(),
        sub["version"].encode(), sub_json, event_json)


def session_message(message_type: str, session: dict | None, timestamp: str) -> dict:
    metadata = {"message_id": str(uuid.uuid4()), "message_type": message_type,
                "message_timestamp": timestamp}
    return {"metadata": metadata, "payload": {"session": session} if session else {}}
