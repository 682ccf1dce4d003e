"""TwitchDownloader chat JSON: the lirik VOD, the 60 Dota 2 videos, and small made-up files."""

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chatlake_contracts.chat import validate_chat_message

from ingest.importers import ImportFileError, ImportOptions, detect_format
from tests.ingest.importers.support import import_file, load_json_file

START = datetime(2018, 10, 1, 12, 0, tzinfo=UTC)
START_MS = 1538395200000


def comment(index: int, body: str = "hello", **extra) -> dict:
    return {"_id": f"c{index}", "created_at": "2020-05-01T10:00:00.123456789Z",
            "content_offset_seconds": index * 1.5,
            "commenter": {"display_name": "Someone", "_id": "99", "name": "someone"},
            "message": {"body": body, "fragments": [{"text": body, "emoticon": None}]},
            **extra}


def chat_root(comments: list, streamer=None, video_created_at="2020-05-01T09:00:00Z") -> dict:
    return {"FileInfo": {"Version": {"Major": 1, "Minor": 4, "Patch": 0}},
            "streamer": streamer,
            "video": {"title": "t", "id": "123", "created_at": video_created_at, "start": 0},
            "comments": comments, "embeddedData": None}


def write_json(folder: Path, document, name: str = "chat.json", compress: bool = False) -> Path:
    data = json.dumps(document).encode()
    path = folder / name
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# ---- made-up files ----------------------------------------------------------------------------

def test_fields_of_a_comment(tmp_path):
    emote_comment = comment(1, "hi 😂 Kappa", message={
        "body": "hi 😂 Kappa", "is_action": True, "bits_spent": 100, "user_color": "#FF0000",
        "user_badges": [{"_id": "subscriber", "version": "12"},
                        {"_id": "moderator", "version": "1"}],
        "fragments": [{"text": "hi 😂 "}, {"text": "Kappa", "emoticon": {"emoticon_id": "25"}}]})
    path = write_json(tmp_path, chat_root(
        [comment(0), emote_comment], streamer={"name": "Chan", "login": "chan", "id": 7}))
    records, bad = import_file(path)
    assert bad == []
    first, second = records
    assert (first["broadcaster_id"], first["broadcaster_login"]) == ("7", "chan")
    assert first["timestamp"] == 1588327200123  # nanoseconds cut to milliseconds
    assert (first["vod_id"], first["vod_offset_s"]) == ("123", 0.0)
    assert (first["user_id"], first["user_name"], first["user_display_name"]) == (
        "99", "someone", "Someone")
    assert second["metadata"]["emotes"] == [{"emote_id": "25", "begin": 5, "end": 10}]
    assert second["text"][5:10] == "Kappa"
    assert second["is_action"] is True
    assert second["bits"] == 100
    assert second["metadata"]["is_subscriber"] and second["metadata"]["is_mod"]
    assert second["metadata"]["color"] == "#FF0000"
    assert second["metadata"]["badges"][0] == {"set_id": "subscriber", "version": "12"}


def test_emoticons_with_inclusive_ends_are_used_when_fragments_do_not_cover_the_body(tmp_path):
    item = comment(0, "a Kappa b", message={
        "body": "a Kappa b", "fragments": [], "emoticons": [{"_id": "25", "begin": 2, "end": 6}]})
    records, _ = import_file(write_json(tmp_path, chat_root([item], {"login": "c", "id": 1})))
    assert records[0]["metadata"]["emotes"] == [{"emote_id": "25", "begin": 2, "end": 7}]


def test_time_falls_back_to_video_start_then_to_the_start_option(tmp_path):
    untimed = [comment(0, created_at=None), comment(2, created_at=None)]
    records, _ = import_file(write_json(tmp_path, chat_root(untimed, {"login": "c", "id": 1})))
    assert [r["timestamp"] for r in records] == [1588323600000, 1588323603000]

    path = write_json(tmp_path, chat_root(untimed, {"login": "c", "id": 1}, None), "no_time.json")
    with pytest.raises(ImportFileError, match=r"^no_time\.json: .*--start"):
        import_file(path)
    records, _ = import_file(path, ImportOptions(start=START))
    assert [r["timestamp"] for r in records] == [START_MS, START_MS + 3000]


def test_channel_falls_back_to_comment_channel_id_then_to_the_option(tmp_path):
    with_ids = write_json(tmp_path, chat_root([comment(0, channel_id="55")]), "ids.json")
    assert import_file(with_ids)[0][0]["broadcaster_id"] == "55"

    without = write_json(tmp_path, chat_root([comment(0)]), "anon.json.gz", compress=True)
    with pytest.raises(ImportFileError, match=r"^anon\.json\.gz: .*pass --channel"):
        import_file(without)
    records, _ = import_file(without, ImportOptions(channel="chan"))
    assert (records[0]["broadcaster_id"], records[0]["broadcaster_login"]) == ("chan", "chan")
    records, _ = import_file(without, ImportOptions(channel="chan", channel_id="77"))
    assert (records[0]["broadcaster_id"], records[0]["broadcaster_login"]) == ("77", "chan")


def test_bad_comments_are_reported_by_index_and_the_rest_imported(tmp_path):
    comments = [comment(0), {"_id": "x"}, comment(2, created_at="yesterday"), "nope",
                comment(4, "x" * 2001), comment(5)]
    path = write_json(tmp_path, chat_root(comments, {"login": "c", "id": 1}))
    records, bad = import_file(path)
    assert [r["message_id"] for r in records] == ["c0", "c5"]
    assert [b.location for b in bad] == [f"chat.json:comments[{i}]" for i in (1, 2, 3, 4)]
    assert "2000" in bad[3].error
    assert len(bad[3].raw) <= 2000


# ---- lirik ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lirik(shared_data):
    path = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz"
    return load_json_file(path)["comments"], import_file(path)


def test_lirik_imports_every_comment_with_its_text_and_id(lirik):
    comments, (records, bad) = lirik
    assert bad == []
    assert len(records) == len(comments) == 72_448
    assert [i for i, (r, c) in enumerate(zip(records, comments, strict=True))
            if r["text"] != c["message"]["body"] or r["message_id"] != c["_id"]] == []
    assert sum(r["is_vod_comment"] for r in records) == 134
    assert {r["broadcaster_id"] for r in records} == {"23161357"}
    assert {r["vod_id"] for r in records} == {"389178879"}
    assert sum(r["bits"] > 0 for r in records) == 9
    assert sum(r["is_action"] for r in records) == 20
    for record in records[::500]:
        validate_chat_message(record)


def test_lirik_emotes_cover_exactly_their_fragments(lirik):
    comments, (records, _) = lirik
    checked = 0
    for record, source in zip(records, comments, strict=True):
        expected, position = [], 0
        for fragment in source["message"]["fragments"]:
            if fragment.get("emoticon"):
                expected.append((fragment["emoticon"]["emoticon_id"], fragment["text"]))
            position += len(fragment["text"])
        got = [(e["emote_id"], record["text"][e["begin"]:e["end"]])
               for e in record["metadata"]["emotes"]]
        assert got == expected
        checked += len(got)
    assert checked == 32_200


def test_lirik_timestamps(lirik):
    comments, (records, _) = lirik
    assert comments[0]["created_at"].startswith("2019-03-03T03:10:44.105")
    assert records[0]["timestamp"] == 1551582644105
    assert records[0]["is_vod_comment"] is True
    live = [r for r in records if not r["is_vod_comment"]]
    video_start = 1551546261000
    # Live chat was sent while the video ran: created_at within seconds of start + offset.
    assert max(abs(r["timestamp"] - video_start - r["vod_offset_s"] * 1000) for r in live) < 60_000


# ---- Dota 2 -----------------------------------------------------------------------------------

def dota_videos(shared_data) -> list[dict]:
    with (shared_data / "highlights" / "dota2" / "videos.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_dota2_files_import_with_counts_text_and_times(shared_data):
    folder = shared_data / "highlights" / "dota2"
    videos = dota_videos(shared_data)
    assert len(videos) == 60
    total = 0
    for video in videos:
        path = folder / f"{video['video_id']}.chat.json.gz"
        assert detect_format(path) == "twitchdownloader"
        root = load_json_file(path)
        options = ImportOptions(channel=video["channel"] or "dota2_unknown")
        if video["created_at_known"] == "no":
            with pytest.raises(ImportFileError, match=rf"^{video['video_id']}\.chat\.json\.gz: "
                               r".*--start"):
                import_file(path, options)
            options = ImportOptions(channel=options.channel, start=START)
            video_ms = START_MS
        else:
            video_ms = int(datetime.fromisoformat(root["video"]["created_at"]).timestamp() * 1000)
        records, bad = import_file(path, options)
        assert bad == []
        assert len(records) == int(video["messages"]) == len(root["comments"])
        pairs = zip(records, root["comments"], strict=True)
        assert [i for i, (r, c) in enumerate(pairs) if r["text"] != c["message"]["body"]] == []
        # created_at (when known) and video start + offset agree to the millisecond.
        assert all(abs(r["timestamp"] - video_ms - round(r["vod_offset_s"] * 1000)) <= 1
                   for r in records)
        total += len(records)
    assert total == 122_630


def test_dota2_file_without_channel_says_pass_channel(shared_data):
    path = shared_data / "highlights" / "dota2" / "326742440.chat.json.gz"
    with pytest.raises(ImportFileError, match=r"^326742440\.chat\.json\.gz: .*pass --channel"):
        import_file(path)
