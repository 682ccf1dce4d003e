"""Fixtures for the importer tests. The real files hold real people's chat: tests read them in
place and print counts, never messages."""

from pathlib import Path

import pytest
from importer_helpers import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    folder = shared_data_dir()
    if not folder.is_dir():
        pytest.skip(f"shared chat data not found at {folder} (set CHATLAKE_SHARED_DATA)")
    return folder
