"""An app over real chat (nymn IRC + lirik VOD) and a migrated PostgreSQL with clips rows."""

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from core.settings import Settings
from tests.api.support import build_lake, live_server, require_shared_data, seed_postgres
from tests.support import reachable_tmp_dir


@pytest.fixture(scope="session")
def api_lake() -> Iterator[Path]:
    require_shared_data()
    root = reachable_tmp_dir("chatlake-api-lake-")
    try:
        build_lake(root / "lake")
        yield root / "lake"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def seeded_now(postgres_server: str) -> datetime:
    now = datetime.now(UTC).replace(microsecond=0)
    seed_postgres(postgres_server, now)
    return now


@pytest.fixture(scope="session")
def api_settings(postgres_server: str, api_lake: Path, seeded_now: datetime) -> Settings:
    return Settings(
        postgres={"dsn": postgres_server}, lake={"uri": str(api_lake)},
        state_dir=api_lake.parent / "state"
    )


@pytest.fixture
async def client(api_settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def live_api(api_settings: Settings) -> Iterator[str]:
    """Base URL of the app served over a real socket."""
    with live_server(api_settings) as base:
        yield base
