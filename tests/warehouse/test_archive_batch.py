import datetime

import orjson
from chatlake_contracts.chat import chat_message

from tests.warehouse.support import synthetic_message
from warehouse.archive_batch import parse_batch
from warehouse.lake_schema import CHAT_MESSAGES


def values(records):
    return [orjson.dumps(r) for r in records]


def test_valid_batch_becomes_one_table_with_timestamps_and_days():
    records = [synthetic_message(i) for i in range(50)]
    parsed = parse_batch(CHAT_MESSAGES, values(records), range(100, 150), "chat-messages/0")
    assert parsed.dead_letters == []
    assert parsed.table.num_rows == 50
    assert str(parsed.table.schema.field("timestamp").type) == "timestamp[ms, tz=UTC]"
    assert set(parsed.table.column("date").to_pylist()) == {datetime.date(2019, 3, 2)}
    assert parsed.table.column("message_id").to_pylist() == [r["message_id"] for r in records]


def test_bad_records_become_dead_letters_naming_offset_and_problem():
    good = values([synthetic_message(1), synthetic_message(2)])
    missing_id = orjson.dumps({k: v for k, v in synthetic_message(3).items()
                               if k != "message_id"})
    seconds_not_ms = orjson.dumps({**synthetic_message(4), "timestamp": 1_551_546_262})
    batch = [good[0], b"{not json", missing_id, b"\xff\xfe", None, seconds_not_ms, good[1]]
    parsed = parse_batch(CHAT_MESSAGES, batch, range(10, 17), "chat-messages/2")
    assert parsed.table.column("message_id").to_pylist() == ["m00000001", "m00000002"]
    locations = [d["location"] for d in parsed.dead_letters]
    assert locations == [f"chat-messages/2@{o}" for o in (11, 12, 13, 14, 15)]
    errors = " | ".join(d["error"] for d in parsed.dead_letters)
    assert "message_id" in errors and "timestamp" in errors and "no value" in errors


def test_text_with_newline_inside_json_string_is_kept_exactly():
    record = chat_message(message_id="x", broadcaster_id="1", timestamp=1_551_546_262_000,
                          text="line one\nline two \u2603", source="irc")
    parsed = parse_batch(CHAT_MESSAGES, [orjson.dumps(record)], [0], "chat-messages/0")
    assert parsed.table.column("text").to_pylist() == ["line one\nline two \u2603"]
