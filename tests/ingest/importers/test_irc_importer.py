"""Raw IRC logs: the line parser on Chatterino's edge cases and on small made-up logs, and the
real nymn (tagged) and admiralbulldog (untagged, time-prefixed) logs."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chatlake_contracts.chat import validate_chat_message

from ingest.importers import ImportFileError, ImportOptions, detect_format
from ingest.importers.irc_line import parse_badges, parse_irc, parse_tags, split_time_prefix
from tests.ingest.importers.support import import_file, read_lines

CHAT_LINE = re.compile(r" (PRIVMSG|USERNOTICE) #\S+ \S")  # text with or without ":"


def write_log(folder: Path, lines: list[str], name: str = "chat.irc") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


# ---- the line parser -------------------------------------------------------------------------

def test_tags_are_unescaped():
    tags = parse_tags("a=x\\sy\\:z\\\\w;b=;c;d=trailing\\")
    assert tags == {"a": "x y;z\\w", "b": "", "c": "", "d": "trailing"}


def test_badges_without_a_version_keep_their_name():
    assert parse_badges("subscriber/36,subscriber24") == [
        {"set_id": "subscriber", "version": "36"}, {"set_id": "subscriber24", "version": None}]


@pytest.mark.parametrize(("line", "prefix"), [
    ("2019-04-30_09:01:35 ;;; :a!a@a PRIVMSG #c :hi", "2019-04-30T09:01:35"),
    ("[2019-04-30 09:01:35] :a!a@a PRIVMSG #c :hi", "2019-04-30T09:01:35"),
    ("[2019-04-30 09:01:35.250] :a!a@a PRIVMSG #c :hi", "2019-04-30T09:01:35.250"),
    ("2019-04-30T09:01:35Z :a!a@a PRIVMSG #c :hi", "2019-04-30T09:01:35Z"),
    ("2019-04-30T09:01:35+02:00 :a!a@a PRIVMSG #c :hi", "2019-04-30T09:01:35+02:00"),
])
def test_time_prefixes_are_recognised(line, prefix):
    found, rest = split_time_prefix(line)
    assert found == prefix
    assert rest == ":a!a@a PRIVMSG #c :hi"


@pytest.mark.parametrize("line", [
    "[2019-04-30 09:01:35 :a!a@a PRIVMSG #c :hi",  # bracket never closed
    ":a!a@a PRIVMSG #c :hi",
    "1480664483 someone: hi",
])
def test_lines_without_a_time_prefix_are_left_alone(line):
    assert split_time_prefix(line) == (None, line)


def test_irc_parts():
    line = parse_irc("@id=1;x=y :nick!nick@host PRIVMSG #chan :hello : world")
    assert line == ("id=1;x=y", "nick!nick@host", "PRIVMSG", ["#chan"], "hello : world")
    assert parse_irc("PING :tmi.twitch.tv").command == "PING"
    assert parse_irc(":tmi.twitch.tv 001 me :Welcome").command == "001"
    assert parse_irc("START OF RECORDED CHAT") is None
    assert parse_irc("line_lengths 1 2 3") is None
    assert parse_irc("") is None


# ---- Chatterino's edge cases ------------------------------------------------------------------

@pytest.fixture(scope="module")
def edge_cases(shared_data) -> dict[str, str]:
    with (shared_data / "irc" / "edge_cases.jsonl").open(encoding="utf-8") as file:
        cases = [json.loads(line) for line in file if line.strip()]
    assert len(cases) == 110
    return {case["name"]: case["input"] for case in cases}


@pytest.fixture(scope="module")
def edge_records(edge_cases, tmp_path_factory) -> dict[str, list]:
    folder = tmp_path_factory.mktemp("edge")
    results = {}
    for name, raw in edge_cases.items():
        results[name] = import_file(write_log(folder, [raw], f"{name}.irc"))
    return results


def one(edge_records, name: str) -> dict:
    records, bad = edge_records[name]
    assert bad == []
    assert len(records) == 1, name
    return records[0]


def test_every_edge_case_is_a_record_or_skipped_never_bad(edge_cases, edge_records):
    expected_chat = {name for name, raw in edge_cases.items() if CHAT_LINE.search(raw)}
    for name, (records, bad) in edge_records.items():
        assert bad == [], name
        assert len(records) == (1 if name in expected_chat else 0), name
        for record in records:
            validate_chat_message(record)
            for emote in record["metadata"]["emotes"]:
                assert record["text"][emote["begin"]:emote["end"]].strip(), name
    assert 60 < len(expected_chat) < 110  # the set mixes chat with other commands


def test_action_framing_is_removed(edge_records):
    record = one(edge_records, "action")
    assert record["is_action"] is True
    assert record["text"] == "Kappa"
    assert record["metadata"]["emotes"] == [{"emote_id": "25", "begin": 0, "end": 5}]
    assert record["timestamp"] == 1662206235860
    assert record["is_first_message"] is False
    assert record["metadata"]["is_mod"] is True  # broadcaster badge


@pytest.mark.parametrize(("name", "begins"), [
    ("emote-emoji", [0, 8]), ("emotes3", [1, 9]), ("emotes2", [10, 50, 69]), ("mod", [6, 16]),
])
def test_emote_ranges_count_code_points_even_after_emoji(edge_records, name, begins):
    record = one(edge_records, name)
    emotes = record["metadata"]["emotes"]
    assert [emote["begin"] for emote in emotes] == begins
    names = {record["text"][emote["begin"]:emote["end"]] for emote in emotes}
    assert names <= {"Kappa", "PogChamp", "Keepo", "Kreygasm"}


@pytest.mark.parametrize("name", ["bad-emotes", "bad-emotes2", "bad-emotes3", "bad-emotes4"])
def test_invalid_emote_ranges_are_dropped_and_the_message_kept(edge_records, name):
    record = one(edge_records, name)
    assert record["metadata"]["emotes"] == []
    assert record["text"] in {"Kappa", "foo bar"}


def test_single_character_emote(edge_records):
    assert one(edge_records, "emotes4")["metadata"]["emotes"] == [
        {"emote_id": "84608", "begin": 0, "end": 1}]


def test_overlapping_ranges_keep_the_first():
    from ingest.importers.common import inclusive_ranges_to_emotes

    emotes = inclusive_ranges_to_emotes([("a", 0, 4), ("b", 2, 6), ("c", 6, 8)], 9)
    assert [emote["emote_id"] for emote in emotes] == ["a", "c"]


def test_tags_give_first_message_reply_bits_and_shared_chat(edge_records):
    assert one(edge_records, "first-msg")["is_first_message"] is True
    assert one(edge_records, "reply-single")["reply_parent_message_id"] == (
        "d95d04a6-5c6a-476a-8dbd-7c6d3b3c277f")
    assert one(edge_records, "cheer1")["bits"] == 5
    shared = one(edge_records, "shared-chat-emotes")
    assert (shared["broadcaster_id"], shared["source_broadcaster_id"]) == (
        "11148817", "141981764")


def test_missing_tags_fall_back_to_the_channel_login_and_a_stable_id(edge_records):
    record = one(edge_records, "no-tags")
    assert record["broadcaster_id"] == record["broadcaster_login"] == "pajlada"
    assert record["user_name"] == "jammehcow"
    assert record["user_id"] is None
    assert record["is_first_message"] is None
    assert re.fullmatch(r"[0-9a-f]{32}", record["message_id"])


def test_usernotice_with_text_is_chat_and_without_is_skipped(edge_records):
    record = one(edge_records, "sub-message")
    assert record["text"] == "Great stream -- keep it up!"
    assert record["user_name"] == "ronni"
    assert record["message_id"] == "db25007f-7a18-43eb-9379-80131e44d633"
    assert edge_records["sub-no-message"] == ([], [])


def test_badge_without_version_and_subscriber_tag(edge_records):
    record = one(edge_records, "badges-invalid")
    assert record["metadata"]["badges"] == [{"set_id": "subscriber24", "version": None}]
    assert record["metadata"]["is_subscriber"] is True


# ---- small made-up logs -----------------------------------------------------------------------

def test_untimed_log_needs_start(tmp_path):
    path = write_log(tmp_path, [":a!a@a.tmi.twitch.tv PRIVMSG #chan :hi there"])
    with pytest.raises(ImportFileError, match=r"^chat\.irc: .*--start"):
        import_file(path)
    start = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    records, bad = import_file(path, ImportOptions(start=start))
    assert bad == []
    assert records[0]["timestamp"] == ms("2024-01-02T03:04:05")
    assert records[0]["broadcaster_id"] == "chan"


def test_channel_id_option_applies_to_its_own_channel_only(tmp_path):
    path = write_log(tmp_path, ["2020-01-01_00:00:00 ;;; :a!a@a PRIVMSG #chan :hi",
                                "2020-01-01_00:00:00 ;;; :a!a@a PRIVMSG #other :hi"])
    records, _ = import_file(path, ImportOptions(channel="chan", channel_id="42"))
    assert [r["broadcaster_id"] for r in records] == ["42", "other"]


def test_lines_without_prefix_inherit_the_previous_time(tmp_path):
    path = write_log(tmp_path, [
        "2020-01-01_10:00:00 ;;; :a!a@a PRIVMSG #chan :one",
        ":b!b@b PRIVMSG #chan :two",
        "[2020-01-01 10:00:07] :c!c@c PRIVMSG #chan :three",
        "2020-01-01T10:00:09.5+01:00 :d!d@d PRIVMSG #chan :\x01ACTION four\x01",
    ])
    records, bad = import_file(path)
    assert bad == []
    assert [r["timestamp"] for r in records] == [
        ms("2020-01-01T10:00:00"), ms("2020-01-01T10:00:00"), ms("2020-01-01T10:00:07"),
        ms("2020-01-01T09:00:09") + 500]
    assert [r["text"] for r in records] == ["one", "two", "three", "four"]
    assert records[3]["is_action"] is True


def test_bad_lines_are_reported_with_line_numbers_and_the_rest_imported(tmp_path):
    path = tmp_path / "mixed.irc"
    path.write_bytes(b"\n".join([
        b"2020-01-01_10:00:00 ;;; :a!a@a PRIVMSG #chan :one",
        b"PING :tmi.twitch.tv",
        b":tmi.twitch.tv 001 me :Welcome",
        b"",
        b"this is not irc",
        b":b!b@b PRIVMSG #chan :caf\xe9",  # Latin-1, not UTF-8
        b":b!b@b PRIVMSG #chan",
        b":c!c@c PRIVMSG #chan :three",
    ]))
    records, bad = import_file(path)
    assert [r["text"] for r in records] == ["one", "three"]
    assert [(b.location, b.error) for b in bad] == [
        ("mixed.irc:5", "not an IRC line"),
        ("mixed.irc:6", "not valid UTF-8"),
        ("mixed.irc:7", "PRIVMSG without text"),
    ]
    assert bad[1].raw.endswith("caf\\xe9")


def test_generated_ids_are_stable_and_depend_on_the_line(tmp_path):
    path = write_log(tmp_path, ["2020-01-01_10:00:00 ;;; :a!a@a PRIVMSG #chan :same"] * 2)
    first, _ = import_file(path)
    again, _ = import_file(path)
    assert [r["message_id"] for r in first] == [r["message_id"] for r in again]
    assert first[0]["message_id"] != first[1]["message_id"]


def test_a_tagged_log_is_detected_as_irc(tmp_path):
    path = write_log(tmp_path, ["@tmi-sent-ts=1 :a!a@a PRIVMSG #c :x"], "log.txt")
    assert detect_format(path) == "irc"


# ---- the real logs ----------------------------------------------------------------------------

def test_nymn_log_matches_its_source(shared_data):
    path = shared_data / "irc" / "nymn_recent.irc"
    lines = read_lines(path)
    records, bad = import_file(path)
    assert bad == []
    chat_lines = [line for line in lines if " PRIVMSG #" in line]
    assert len(records) == len(chat_lines) == 798
    wrong_text = []
    for index, (record, line) in enumerate(zip(records, chat_lines, strict=True)):
        tags = dict(item.split("=", 1) for item in line[1:line.index(" ")].split(";"))
        # A one-word message may come without the ':' (337 of them here).
        text = line.split(" PRIVMSG #nymn ", 1)[1].removeprefix(":")
        is_action = text.startswith("\x01ACTION ") and text.endswith("\x01")
        if is_action:
            text = text[len("\x01ACTION "):-1]
        if record["text"] != text or record["is_action"] != is_action:
            wrong_text.append(index)
        assert record["timestamp"] == int(tags["tmi-sent-ts"])
        assert record["message_id"] == tags["id"]
        assert record["user_id"] == tags["user-id"]
        assert record["broadcaster_id"] == "62300805"
        expected = set()
        for group in filter(None, tags["emotes"].split("/")):
            emote_id, ranges = group.split(":")
            for span in ranges.split(","):
                begin, last = map(int, span.split("-"))
                expected.add((emote_id, begin, last + 1))
        got = {(e["emote_id"], e["begin"], e["end"]) for e in record["metadata"]["emotes"]}
        assert got == expected
    assert wrong_text == []
    emote_count = sum(len(r["metadata"]["emotes"]) for r in records)
    assert emote_count > 100


def test_admiralbulldog_log_matches_its_source(shared_data):
    path = shared_data / "irc" / "admiralbulldog_2019-04-30.irc.log.gz"
    assert detect_format(path) == "irc"
    records, bad = import_file(path)
    assert len(records) == 28_844
    expected, noise, clock = [], [], None
    for number, line in enumerate(read_lines(path), 1):
        match = re.match(r"(\d{4}-\d\d-\d\d)_(\d\d:\d\d:\d\d) ;;; ", line)
        if match:
            clock = ms(f"{match[1]}T{match[2]}")
            line = line[match.end():]
        if " PRIVMSG #admiralbulldog :" in line:
            text = line.split(" PRIVMSG #admiralbulldog :", 1)[1]
            if text.startswith("\x01ACTION ") and text.endswith("\x01"):
                text = text[len("\x01ACTION "):-1]
            expected.append((clock, text))
        elif line.strip() and not line.startswith(":"):
            noise.append(number)
    got = [(r["timestamp"], r["text"]) for r in records]
    assert len(got) == len(expected)
    assert [i for i, pair in enumerate(got) if pair != expected[i]] == []  # indices, not text
    assert sum(r["is_action"] for r in records) > 0
    assert [int(b.location.rsplit(":", 1)[1]) for b in bad] == noise
    assert all(b.error == "not an IRC line" for b in bad)
    assert records[0]["timestamp"] == ms("2019-04-30T08:56:59")
    assert {r["broadcaster_login"] for r in records} == {"admiralbulldog"}
    assert len({r["user_name"] for r in records}) == 3171
    assert len({r["message_id"] for r in records}) == len(records)
