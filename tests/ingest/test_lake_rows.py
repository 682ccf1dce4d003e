"""What an import stores, value for value: the rows of a Dota 2 file and of the lirik VOD in
`chat_messages`, held to fingerprints taken before the import path was made faster. A change
to any stored value (a type, a null, an emote position, a partition day) changes a fingerprint.

A fingerprint is a SHA-256 over the rows sorted by message_id, every column rendered as JSON;
the data itself never enters the repository. If a change to stored values is intended, say so
in the commit and take the new fingerprint from the failure message."""

import hashlib
from datetime import UTC, datetime

import orjson
import pytest

from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from warehouse.lake_store import LakeStore

DOTA2_OPTIONS = ImportOptions(channel="dota", start=datetime(2019, 1, 1, tzinfo=UTC))
FINGERPRINTS = {
    "dota2": (4395, "46d35a3ce642ba6bdd41468ed15260fb6c259fda7dd2eca41acd6d36a7a9c05f"),
    "lirik": (72448, "4a45e2f6d2ec4162189d132215bc7f20fff1fe2e5203e201589250233b5f4e93"),
}


def stored_fingerprint(lake) -> tuple[int, str]:
    table = LakeStore(str(lake)).open("chat_messages").to_pyarrow_table()
    rows = sorted(table.to_pylist(), key=lambda row: row["message_id"])
    digest = hashlib.sha256()
    for row in rows:
        digest.update(orjson.dumps(row, default=str, option=orjson.OPT_SORT_KEYS))
    return len(rows), digest.hexdigest()


@pytest.mark.parametrize("name", ["dota2", "lirik"])
def test_stored_rows_are_exactly_those_of_before(tmp_path, shared_data, dota2_file, name):
    if name == "dota2":
        path, options = dota2_file, DOTA2_OPTIONS
    else:
        path, options = shared_data / "vod" / "lirik" / "lirik_389178879.chat.json.gz", \
            ImportOptions()
    report = import_to_lake(path, options, LakeStore(str(tmp_path / "lake")))
    assert not report.bad_lines
    assert stored_fingerprint(tmp_path / "lake") == FINGERPRINTS[name]
