"""Files that cannot be imported at all fail at once with one line naming the file."""

import gzip
import json
from pathlib import Path

import pytest

from ingest.importers import ImportFileError, detect_format, read_chat_file
from tests.ingest.importers.support import import_file

IRC_LOG = "\n".join(
    f"@tmi-sent-ts={1704557984095 + i};id=m{i} :a!a@a.tmi.twitch.tv PRIVMSG #chan :message {i}"
    for i in range(2000)).encode()


def expect_file_error(path: Path, pattern: str) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_chat_file(path)  # raises at the call, before any iteration
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ")
    assert "\n" not in message
    assert pattern in message
    return message


def test_truncated_gzip(tmp_path):
    data = gzip.compress(IRC_LOG)
    path = tmp_path / "cut.irc.gz"
    path.write_bytes(data[: len(data) // 2])
    expect_file_error(path, "truncated gzip")


def test_whole_gzip_reads_and_gzip_is_found_by_content(tmp_path):
    path = tmp_path / "log.dat"  # no .gz in the name
    path.write_bytes(gzip.compress(IRC_LOG))
    records, bad = import_file(path)
    assert (len(records), bad) == (2000, [])


def test_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(IRC_LOG))
    data[20:40] = b"\xff" * 20
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(data))
    expect_file_error(path, "gzip")


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "is empty"), (b"  \n\n", "is empty"), (b"\xef\xbb\xbf\n", "is empty"),
    (bytes(range(256)) * 8, "binary"),
    (b"just some notes\nnothing like chat\n", "not a chat file"),
    (b'{"name": "a config file", "values": [1, 2, 3]}', "not a chat file"),
    (b"[1, 2, 3]", "not of chat-downloader"),
    (b'{"comments": [', "not valid JSON"),
])
def test_files_that_are_not_chat(tmp_path, content, problem):
    path = tmp_path / "thing.json"
    path.write_bytes(content)
    expect_file_error(path, problem)


def test_garbage_gzip_member_is_still_garbage(tmp_path):
    path = tmp_path / "noise.bin.gz"
    path.write_bytes(gzip.compress(bytes(range(1, 256)) * 50))
    with pytest.raises(ImportFileError, match=r"^noise\.bin\.gz: "):
        read_chat_file(path)


def test_missing_and_directory_paths(tmp_path):
    expect_file_error(tmp_path / "missing.irc", "cannot be read")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    expect_file_error(folder, "directory")
    with pytest.raises(ImportFileError, match=r"^missing\.irc: "):
        detect_format(tmp_path / "missing.irc")


def test_missing_channel_is_a_file_error(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("1480664483 alice: hi\n", encoding="utf-8")
    expect_file_error(path, "pass --channel")
    document = {"streamer": None, "video": {"id": "1", "created_at": "2020-01-01T00:00:00Z"},
                "comments": [{"_id": "x", "created_at": None, "content_offset_seconds": 1,
                              "commenter": {"name": "a"}, "message": {"body": "hi"}}]}
    path = tmp_path / "td.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    expect_file_error(path, "pass --channel")


@pytest.mark.parametrize(("content", "expected"), [
    (b'{"FileInfo": {}, "streamer": null, "comments": []}', "twitchdownloader"),
    (b'[{"message_id": "1", "message": "hi", "timestamp": 1}]', "chat_downloader"),
    (b'{"message_id": "1", "message": "hi", "timestamp": 1}\n', "chat_downloader"),
    (b":a!a@a PRIVMSG #c :hi\n", "irc"),
    (b"2019-04-30_09:01:35 ;;; START\n2019-04-30_09:01:35 ;;; :a!a@a PRIVMSG #c :hi\n", "irc"),
    (b"\xef\xbb\xbf1480664483 alice: hi\n", "text_log"),
])
def test_detection_by_content(tmp_path, content, expected):
    path = tmp_path / "chat.bin"
    path.write_bytes(content)
    assert detect_format(path) == expected
    gzipped = tmp_path / "chat.bin.gz"
    gzipped.write_bytes(gzip.compress(content))
    assert detect_format(gzipped) == expected


def test_real_files_are_detected(shared_data):
    expected = {
        "vod/lirik/lirik_389178879.chat.json.gz": "twitchdownloader",
        "highlights/dota2/315844431.chat.json.gz": "twitchdownloader",
        "irc/nymn_recent.irc": "irc",
        "irc/admiralbulldog_2019-04-30.irc.log.gz": "irc",
        "multi/kappa_zh/VoD_104703028.txt.gz": "text_log",
    }
    assert {name: detect_format(shared_data / name) for name in expected} == expected
    with pytest.raises(ImportFileError, match=r"^recentmessages-nymn\.json: "):
        detect_format(shared_data / "irc" / "recentmessages-nymn.json")
