"""EventSub notification -> v1 chat record, and what counts as malformed."""

import itertools

import orjson
import pytest
from chatlake_contracts.chat import validate_chat_message

from ingest.chat_ingest.mapping import (
    MalformedEvent,
    record_from_notification,
    timestamp_ms,
)
from ingest.chat_ingest.notification import decode_chat_frame
from standin.chat_payload import chat_event, notification
from standin.synthetic import generate, synthetic_channels


def envelope(**event_fields: object) -> dict:
    fields = dict(broadcaster_id="77", broadcaster_login="chan", text="hi Kappa",
                  chatter_id="5", chatter_login="bob",
                  emotes=[{"emote_id": "25", "begin": 3, "end": 8}])
    fields.update(event_fields)
    sub = {"id": "s", "status": "enabled", "type": "channel.chat.message", "version": "1",
           "condition": {}, "transport": {}, "created_at": "", "cost": 0}
    return notification(sub, chat_event(**fields), message_id="n1",
                        timestamp="2024-05-01T10:00:00.123456789Z")


def test_emote_positions_are_code_points_even_after_astral_characters():
    text = "🎉🎉 PogChamp ok Kappa"
    record = record_from_notification(envelope(
        text=text, emotes=[{"emote_id": "88", "begin": 3, "end": 11},
                           {"emote_id": "25", "begin": 15, "end": 20}]))
    assert [text[e["begin"]:e["end"]] for e in record["metadata"]["emotes"]] == [
        "PogChamp", "Kappa"]
    validate_chat_message(record)


def test_time_comes_from_the_envelope_metadata_to_the_millisecond():
    record = record_from_notification(envelope())
    assert record["timestamp"] == timestamp_ms("2024-05-01T10:00:00.123Z") == 1714557600123


def test_badges_flags_reply_shared_chat_and_first_message():
    record = record_from_notification(envelope(
        badges=[{"set_id": "founder", "version": "0"}], message_type="user_intro",
        reply_parent_message_id="p", source_broadcaster_id="99", bits=100))
    assert record["metadata"]["is_subscriber"] and not record["metadata"]["is_mod"]
    assert record["metadata"]["badges"] == [{"set_id": "founder", "version": "0"}]
    assert record["is_first_message"] is True
    assert record["reply_parent_message_id"] == "p"
    assert record["source_broadcaster_id"] == "99"
    assert record["bits"] == 100


@pytest.mark.parametrize("mutate, problem", [
    (lambda e: e["payload"]["event"].update(broadcaster_user_id=5), "broadcaster_(user_)?id"),
    (lambda e: e["payload"]["event"]["message"].update(text=None), "text"),
    (lambda e: e["payload"]["event"]["message"].update(text="x" * 3000),
     "^field 'text' is 3000 characters long"),
    (lambda e: e["payload"]["event"]["message"].update(text="bad \ud800"), "UTF-8"),
    (lambda e: e["metadata"].update(message_timestamp="yesterday"),
     "^metadata.message_timestamp is not a time"),
    (lambda e: e.pop("payload"), "payload"),
])
def test_malformed_events_name_the_problem(mutate, problem):
    bad = envelope()
    mutate(bad)
    with pytest.raises(MalformedEvent, match=problem):
        record_from_notification(bad)


def test_typed_frame_decoding_maps_exactly_like_the_parsed_envelope():
    """The hot path (frame -> msgspec structs) and the generic one (frame -> dicts) agree on
    every synthetic message: emotes, badges, replies, cheers, first messages, shared chat."""
    sub = {"id": "s", "status": "enabled", "type": "channel.chat.message", "version": "1",
           "condition": {}, "transport": {}, "created_at": "", "cost": 0}
    extra = [chat_event(broadcaster_id="7", broadcaster_login="c", text="a", chatter_id="1",
                        chatter_login="u", badges=[{"set_id": "moderator", "version": "1"}],
                        message_type="user_intro", bits=50, reply_parent_message_id="p",
                        source_broadcaster_id="9")]
    events = itertools.chain(extra, (event for _, event in itertools.islice(
        generate(synthetic_channels(4), float("inf")), 3000)))
    emotes = 0
    for n, event in enumerate(events):
        frame = orjson.dumps(notification(sub, event, message_id=str(n),
                                          timestamp=f"2024-05-01T10:00:{n % 60:02}.5Z"))
        typed = decode_chat_frame(frame)
        assert typed is not None
        record = record_from_notification(typed)
        assert record == record_from_notification(orjson.loads(frame))
        emotes += len(record["metadata"]["emotes"])
    assert emotes > 100  # the comparison covered emote positions


def test_frames_that_are_not_chat_notifications_are_left_to_the_generic_parse():
    assert decode_chat_frame(b'{"metadata": {"message_type": "session_keepalive"}, '
                             b'"payload": {}}') is None
    assert decode_chat_frame(b"not json") is None
    wrong_type = envelope()
    wrong_type["payload"]["event"]["message"]["text"] = 5
    assert decode_chat_frame(orjson.dumps(wrong_type)) is None
    with pytest.raises(MalformedEvent, match="text"):
        record_from_notification(wrong_type)
