"""Fixtures every suite may use: real servers, the Twitch stand-in, and the real chat data
(`shared_data`, which skips with the reason when the folder is absent)."""

from pathlib import Path

import pytest

from tests.external_postgres import external_postgres
from tests.standin.support import twitch_standin
from tests.support import kafka_broker, postgres_server, shared_data_dir

__all__ = ["dota2_file", "external_postgres", "kafka_broker", "postgres_server", "shared_data",
           "twitch_standin"]

# The busiest Dota 2 broadcast (4,395 messages, 38 min): enough to leave the 5 min baseline
# and fire several times with the default parameters.
DOTA2_VIDEO = "342337646"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    folder = shared_data_dir()
    if not folder.is_dir():
        pytest.skip(f"shared chat data not found at {folder} (set CHATLAKE_SHARED_DATA)")
    return folder


@pytest.fixture(scope="session")
def dota2_file(shared_data: Path) -> Path:
    path = shared_data / "highlights" / "dota2" / f"{DOTA2_VIDEO}.chat.json.gz"
    if not path.is_file():
        pytest.skip(f"the Dota 2 replay file is absent ({path})")
    return path
