"""The lake reader sees datasets that were empty at start once files arrive."""

import time
from pathlib import Path

import pytest

from api import lake as lake_module
from api.lake import LakeReader
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import NYMN_IRC, require_shared_data
from warehouse.lake_store import LakeStore

pytestmark = pytest.mark.anyio


async def test_empty_lake_then_data(tmp_path: Path, monkeypatch):
    require_shared_data()
    monkeypatch.setattr(lake_module, "EMPTY_VIEW_RECHECK_SECONDS", 0.0)
    reader = LakeReader(str(tmp_path / "lake"))
    try:
        assert await reader.fetch("select count(*) from chat_messages") == [(0,)]
        assert await reader.fetch("select count(*) from chat_windows") == [(0,)]
        import_to_lake(NYMN_IRC, ImportOptions(), LakeStore(str(tmp_path / "lake")))
        time.sleep(0.01)
        assert await reader.fetch("select count(*) from chat_messages") == [(798,)]
    finally:
        reader.close()
