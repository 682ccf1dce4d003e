"""chat-downloader output (JSON array or JSON Lines), built here: no real file is at hand.

The items follow chat_downloader/sites/twitch.py: `timestamp` in epoch microseconds, VOD
`time_in_seconds`, `author` {id, name, display_name, badges [{name, version}]}, `emotes`
[{id, name, locations ["b-e"]}] with inclusive ends, live items with `action_type`."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.importers import ImportFileError, ImportOptions, detect_format
from tests.ingest.importers.support import import_file

VOD_ITEM = {
    "message_id": "a1", "message": "hey Kappa 😂 LUL", "timestamp": 1588327200123456,
    "time_in_seconds": 12.5, "time_text": "0:12", "message_type": "text_message",
    "author": {"id": "99", "name": "someone", "display_name": "SomeOne",
               "badges": [{"name": "subscriber", "version": 12, "title": "1-Year Subscriber"}],
               "colour": "#00FF00"},
    "emotes": [{"id": "25", "name": "Kappa", "locations": ["4-8"]},
               {"id": "425618", "name": "LUL", "locations": ["12-14"]}],
}
LIVE_ITEM = {
    "message_id": "b2", "message": "hello", "timestamp": 1588327201000000, "channel_id": "7",
    "action_type": "text_message", "message_type": "text_message", "bits": 100,
    "is_first_message": True, "in_reply_to": {"message_id": "a1"},
    "author": {"id": "98", "name": "other", "display_name": "Other", "is_moderator": True,
               "badges": []},
}
SYSTEM_ITEMS = [
    {"message_id": "c3", "message": "someone was banned", "action_type": "clear_chat",
     "message_type": "ban_user", "timestamp": 1588327202000000},
    {"message_id": "c4", "message_type": "room_state", "timestamp": 1588327202000000},
    {"message_id": "c5", "message_type": "resubscription", "timestamp": 1588327202000000,
     "author": {"id": "97", "name": "x"}},  # a resub without text: not chat
]
RESUB_WITH_TEXT = {"message_id": "d6", "message_type": "resubscription", "message": "3 years!",
                   "timestamp": 1588327203000000, "author": {"id": "96", "name": "y"}}


def write_items(folder: Path, items: list, name: str, lines: bool = False) -> Path:
    path = folder / name
    text = "\n".join(json.dumps(item) for item in items) if lines else json.dumps(items, indent=4)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "lines"), [("chat.json", False), ("chat.jsonl", True)])
def test_chat_items_become_records_and_system_items_are_skipped(tmp_path, name, lines):
    items = [VOD_ITEM, *SYSTEM_ITEMS, RESUB_WITH_TEXT, LIVE_ITEM]
    path = write_items(tmp_path, items, name, lines)
    assert detect_format(path) == "chat_downloader"
    records, bad = import_file(path, ImportOptions(channel="chan"))
    assert bad == []
    assert [r["message_id"] for r in records] == ["a1", "d6", "b2"]
    vod, resub, live = records
    assert vod["timestamp"] == 1588327200123  # microseconds to milliseconds
    assert vod["vod_offset_s"] == 12.5
    assert (vod["broadcaster_id"], vod["broadcaster_login"]) == ("chan", "chan")
    assert (vod["user_id"], vod["user_name"], vod["user_display_name"]) == (
        "99", "someone", "SomeOne")
    assert [vod["text"][e["begin"]:e["end"]] for e in vod["metadata"]["emotes"]] == [
        "Kappa", "LUL"]
    assert vod["metadata"]["badges"] == [{"set_id": "subscriber", "version": "12"}]
    assert vod["metadata"]["is_subscriber"] is True
    assert vod["metadata"]["color"] == "#00FF00"
    assert vod["source"] == "chat_downloader"
    assert resub["text"] == "3 years!"
    assert (live["broadcaster_id"], live["bits"], live["is_first_message"]) == ("7", 100, True)
    assert live["reply_parent_message_id"] == "a1"
    assert live["metadata"]["is_mod"] is True


def test_channel_and_time_must_come_from_somewhere(tmp_path):
    path = write_items(tmp_path, [VOD_ITEM], "vod.json")
    with pytest.raises(ImportFileError, match=r"^vod\.json: .*pass --channel"):
        import_file(path)
    untimed = {key: value for key, value in VOD_ITEM.items() if key != "timestamp"}
    path = write_items(tmp_path, [untimed], "untimed.jsonl", lines=True)
    with pytest.raises(ImportFileError, match=r"^untimed\.jsonl: .*--start"):
        import_file(path, ImportOptions(channel="chan"))
    start = datetime(2020, 5, 1, 10, tzinfo=UTC)
    records, _ = import_file(path, ImportOptions(channel="chan", start=start))
    assert records[0]["timestamp"] == 1588327200000 + 12_500


def test_bad_lines_of_json_lines_are_reported(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join([json.dumps(LIVE_ITEM), "{not json", "",
                               json.dumps([1, 2]), json.dumps({**LIVE_ITEM, "timestamp": "x"}),
                               json.dumps({**LIVE_ITEM, "message_id": "e7"})]), encoding="utf-8")
    records, bad = import_file(path)
    assert [r["message_id"] for r in records] == ["b2", "e7"]
    assert [b.location for b in bad] == ["chat.jsonl:2", "chat.jsonl:4", "chat.jsonl:5"]


def test_invalid_emote_locations_are_dropped(tmp_path):
    item = {**LIVE_ITEM, "emotes": [{"id": "25", "locations": "0-4,3-9,x-y,100-104"}]}
    records, _ = import_file(write_items(tmp_path, [item], "chat.json"))
    assert records[0]["metadata"]["emotes"] == [{"emote_id": "25", "begin": 0, "end": 5}]


def test_action_marker_left_by_chat_downloader_is_removed(tmp_path):
    item = {**LIVE_ITEM, "message": "waves\x01"}
    records, _ = import_file(write_items(tmp_path, [item], "chat.json"))
    assert (records[0]["text"], records[0]["is_action"]) == ("waves", True)


def test_empty_array_is_an_empty_chat(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("[]", encoding="utf-8")
    assert import_file(path) == ([], [])
