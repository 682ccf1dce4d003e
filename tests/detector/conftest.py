"""The real chat the detector's acceptance tests replay (servers: tests/conftest.py)."""

from pathlib import Path

import pytest

DOTA2 = Path(__file__).resolve().parents[3] / "shared" / "data" / "highlights" / "dota2"
# The busiest Dota 2 broadcast (4,395 messages, 38 min): enough to leave the 5 min baseline
# and fire several times with the default parameters.
DOTA2_VIDEO = "342337646"


@pytest.fixture(scope="session")
def dota2_file() -> Path:
    path = DOTA2 / f"{DOTA2_VIDEO}.chat.json.gz"
    if not path.is_file():
        pytest.skip(f"the shared chat data is absent ({path}); the replay tests need it")
    return path
