"""Where the real chat data lives (../shared/data beside the repository, or
$CHATLAKE_SHARED_DATA) and the fixture that skips, saying why, when it is absent."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    configured = os.environ.get("CHATLAKE_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    folder = shared_data_dir()
    if not folder.is_dir():
        pytest.skip(f"shared chat data not found at {folder} (set CHATLAKE_SHARED_DATA)")
    return folder
