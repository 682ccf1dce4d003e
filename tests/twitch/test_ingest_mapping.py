"""EventSub notification -> v1 chat record, and what counts as malformed."""

import pytest
from chatlake_contracts.chat import validate_chat_message

from ingest.chat_ingest.mapping import (
    MalformedEvent,
    record_from_notification,
    timestamp_ms,
)
from ingest.standin.chat_payload import chat_event, notification


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
    (lambda e: e["payload"]["event"]["message"].update(text="x" * 3000), "characters long"),
    (lambda e: e["payload"]["event"]["message"].update(text="bad \ud800"), "UTF-8"),
    (lambda e: e["metadata"].update(message_timestamp="yesterday"), "message_timestamp"),
    (lambda e: e.pop("payload"), "payload"),
])
def test_malformed_events_name_the_problem(mutate, problem):
    bad = envelope()
    mutate(bad)
    with pytest.raises(MalformedEvent, match=problem):
        record_from_notification(bad)
