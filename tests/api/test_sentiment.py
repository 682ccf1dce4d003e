"""GET /v1.0/channels/{channel}/sentiment: the marts' channel_sentiment, zero-filled; bad
input is a 4xx; without a marts build the buckets are empty."""

import duckdb
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from core.settings import Settings
from ingest.chat_import import import_to_lake
from ingest.importers import ImportOptions
from tests.api.support import NYMN_ID, NYMN_IRC, require_shared_data
from tests.support import reachable_tmp_dir
from warehouse.lake_store import LakeStore
from warehouse.marts_build import build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile

pytestmark = [pytest.mark.anyio]

NYMN_RANGE = {"start": "2024-01-06T16:19:00Z", "end": "2024-01-06T16:30:00Z"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def built(postgres_server):
    """(settings, marts file) over the nymn chat, marts built once."""
    require_shared_data()
    root = reachable_tmp_dir("chatlake-sentiment-api-")
    lake = LakeStore(str(root / "lake"))
    import_to_lake(NYMN_IRC, ImportOptions(), lake)
    marts = MartsFile(root / "state" / "warehouse.duckdb")
    build_marts(lake, marts, plan_build(lake, marts), run_dbt_subprocess)
    settings = Settings(postgres={"dsn": postgres_server}, lake={"uri": lake.uri},
                        state_dir=root / "state")
    return settings, marts


@pytest.mark.integration
@pytest.mark.parametrize("interval", ["1m", "1h"])
async def test_sentiment_series_is_the_mart(built, interval):
    settings, marts = built
    async with AsyncTestClient(create_app(settings)) as client:
        response = await client.get("/v1.0/channels/nymn/sentiment",
                                    params={**NYMN_RANGE, "interval": interval})
    assert response.status_code == 200
    body = response.json()
    assert body["broadcaster_id"] == NYMN_ID and body["interval"] == interval
    assert body["freshness"]["marts_built_at"] is not None
    served = {t: (m, p, z, n, mean, net) for t, m, p, z, n, mean, net in zip(
        body["t"], body["messages"], body["positive"], body["neutral"], body["negative"],
        body["mean_score"], body["net"], strict=True) if m}
    with duckdb.connect(str(marts.path), read_only=True) as con:
        rows = con.execute(
            "select epoch(bucket_start_at)::bigint, messages, positive_messages, "
            "neutral_messages, negative_messages, mean_sentiment_score, net_sentiment "
            "from marts.channel_sentiment where broadcaster_id = ? and bucket_size = ?",
            [NYMN_ID, interval]).fetchall()
    assert served == {t: tuple(rest) for t, *rest in rows}
    assert sum(body["messages"]) == 798
    assert sum(body["positive"]) > 0 and sum(body["negative"]) > 0
    # Empty buckets are zeros with no score.
    empty = [i for i, m in enumerate(body["messages"]) if m == 0]
    assert all(body["mean_score"][i] is None and body["net"][i] is None for i in empty)


@pytest.mark.integration
async def test_sentiment_bad_input_is_a_client_error(built):
    settings, _ = built
    async with AsyncTestClient(create_app(settings)) as client:
        other_width = await client.get("/v1.0/channels/nymn/sentiment", params={"interval": "5s"})
        unknown = await client.get("/v1.0/channels/nobody_here_123/sentiment")
        backwards = await client.get("/v1.0/channels/nymn/sentiment",
                                     params={"start": NYMN_RANGE["end"],
                                             "end": NYMN_RANGE["start"]})
    assert other_width.status_code == 400
    assert unknown.status_code == 404
    assert backwards.status_code == 400


async def test_without_a_marts_build_the_buckets_are_empty(client):
    response = await client.get("/v1.0/channels/nymn/sentiment", params=NYMN_RANGE)
    assert response.status_code == 200
    body = response.json()
    assert len(body["t"]) == 11 and sum(body["messages"]) == 0
    assert body["freshness"] == {"marts_built_at": None, "marts_through": None}
