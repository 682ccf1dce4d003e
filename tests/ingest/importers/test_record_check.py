"""The chat contract's quick path may only accept what its field-by-field checks accept."""

import copy
import random

from chatlake_contracts.chat import _check_fields, _conforms, chat_message
from chatlake_contracts.errors import RecordError

from ingest.importers.common import BadLine
from ingest.importers.records import finish_record
from tests.ingest.importers.support import import_file

TRICKY_VALUES = [None, "", "x", "x" * 256, "x" * 257, "x" * 2001, 0, 1, -1, 1.5, True, False,
                 [], {}, [{}], 10**13, 1_600_000_000_000, 4_102_444_800_000, "irc", "nope",
                 [{"emote_id": "1", "begin": 0, "end": 1}], [{"set_id": "a", "version": None}],
                 [{"emote_id": "", "begin": 0, "end": 1}], [{"set_id": "", "version": "1"}],
                 [{"emote_id": "1", "begin": 1, "end": 1}], [{"set_id": "a", "version": 1}]]


def valid_record() -> dict:
    return chat_message(
        message_id="m1", broadcaster_id="7", broadcaster_login="chan", timestamp=1_600_000_000_000,
        text="hi Kappa", source="irc", user_id="9", user_name="someone", vod_offset_s=1.0,
        emotes=[{"emote_id": "25", "begin": 3, "end": 8}],
        badges=[{"set_id": "subscriber", "version": "12"}], color="#FFFFFF")


def field_paths(record: dict, prefix=()):
    for key, value in record.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from field_paths(value, (*prefix, key))


def mutate(record: dict, path: tuple, value, remove: bool) -> None:
    for key in path[:-1]:
        record = record.get(key) if isinstance(record, dict) else None
    if not isinstance(record, dict):
        return  # an earlier mutation replaced the parent
    if remove:
        record.pop(path[-1], None)
    else:
        record[path[-1]] = value


def passes_contract(record: dict) -> bool:
    """The field-by-field checks alone, without the quick path in front of them."""
    try:
        _check_fields(record)
    except RecordError:
        return False
    return True


def test_quick_check_accepts_a_valid_record():
    assert _conforms(valid_record()) is True


def test_quick_check_never_accepts_what_the_contract_rejects():
    rng = random.Random(20240106)
    paths = list(field_paths(valid_record()))
    rejected = 0
    for _ in range(20_000):
        record = copy.deepcopy(valid_record())
        for path in rng.sample(paths, rng.choice((1, 1, 2))):
            value = copy.deepcopy(rng.choice(TRICKY_VALUES))
            mutate(record, path, value, remove=rng.random() < 0.1)
        if _conforms(record):
            assert passes_contract(record), record
        else:
            rejected += 1
    assert rejected > 10_000  # the mutations really did break records


def test_finish_record_reports_the_contract_error():
    record = valid_record()
    record["text"] = "x" * 2001
    result = finish_record(record, "f.irc:3", "raw line")
    assert isinstance(result, BadLine)
    assert result.location == "f.irc:3"
    assert "text" in result.error


def test_quick_check_accepts_real_records(shared_data):
    records, _ = import_file(shared_data / "irc" / "nymn_recent.irc")
    assert records and all(_conforms(record) for record in records)
    assert all(passes_contract(record) for record in records)


def test_importer_records_have_the_contract_shape(tmp_path):
    path = tmp_path / "one.irc"
    path.write_text("@tmi-sent-ts=1600000000000 :a!a@a PRIVMSG #c :hi\n", encoding="utf-8")
    records, _ = import_file(path)
    assert len(records) == 1
    expected_keys = list(valid_record())
    assert all(list(record) == expected_keys for record in records)
    assert all(list(record["metadata"]) == list(valid_record()["metadata"])
               for record in records)
