"""`<epoch_s> <login>: <text>` logs: the five kappa_zh VODs and small made-up logs."""

import gzip
import re
from pathlib import Path

import pytest

from ingest.importers import ImportFileError, ImportOptions, detect_format
from tests.ingest.importers.support import import_file, read_lines

KAPPA_COUNTS = {"104703028": 24_696, "108244967": 72_582, "111540271": 61_614,
                "112251297": 87_791, "113759702": 47_527}


def test_made_up_log(tmp_path):
    path = tmp_path / "VoD_42.txt.gz"
    path.write_bytes(gzip.compress("\ufeff".encode() + "\n".join([
        "1480664483 alice: hello: world ", "1480664484 bob: ", "1480664485 carol:",
        "garbage line", "1480664486 dave: 中文 ok", ""]).encode()))
    assert detect_format(path) == "text_log"
    with pytest.raises(ImportFileError, match=r"^VoD_42\.txt\.gz: .*pass --channel"):
        import_file(path)
    records, bad = import_file(path, ImportOptions(channel="chan"))
    assert [(r["timestamp"], r["user_name"], r["text"]) for r in records] == [
        (1480664483000, "alice", "hello: world "), (1480664484000, "bob", ""),
        (1480664485000, "carol", ""), (1480664486000, "dave", "中文 ok")]
    assert [b.location for b in bad] == ["VoD_42.txt.gz:4"]
    assert {r["vod_id"] for r in records} == {"42"}
    assert {r["broadcaster_id"] for r in records} == {"chan"}


@pytest.mark.parametrize("vod_id", sorted(KAPPA_COUNTS))
def test_kappa_logs_match_their_source(shared_data, vod_id):
    path = shared_data / "multi" / "kappa_zh" / f"VoD_{vod_id}.txt.gz"
    records, bad = import_file(path, ImportOptions(channel="kappa_zh", channel_id="1"))
    assert bad == []
    assert len(records) == KAPPA_COUNTS[vod_id]
    expected = []
    for line in read_lines(Path(path)):
        match = re.fullmatch(r"(\d+) ([^ :]+): ?(.*)", line, re.DOTALL)
        if match:
            expected.append((int(match[1]) * 1000, match[2], match[3]))
    got = [(r["timestamp"], r["user_name"], r["text"]) for r in records]
    assert len(got) == len(expected)
    assert [i for i, pair in enumerate(got) if pair != expected[i]] == []
    assert {r["vod_id"] for r in records} == {vod_id}
    assert len({r["message_id"] for r in records}) == len(records)
