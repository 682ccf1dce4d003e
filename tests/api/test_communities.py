"""GET /v1.0/communities over files a real communities build wrote (a planted block model),
with the API's own state folder; an unbuilt period is a 404 naming the command, a bad one 400."""

from datetime import date

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from core.settings import Settings
from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.outputs import write_outputs
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(api_settings: Settings, tmp_path):
    state = tmp_path / "state"
    result = find_communities(
        overlap_edges(planted_chat(channels=500, blocks=10, chatters=15_000, seed=2).pairs),
        CommunitySettings(seed=1))
    write_outputs(result, state / "communities" / "7d", period="7d",
                  period_end=date(2026, 12, 1))
    settings = Settings(postgres={"dsn": api_settings.postgres.dsn},
                        lake={"uri": api_settings.lake.uri}, state_dir=state)
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client, result


async def test_the_built_period_is_served(client):
    http, result = client
    response = await http.get("/v1.0/communities", params={"period": "7d", "limit": 20})
    assert response.status_code == 200
    body = response.json()
    assert body["summary"]["communities"] == 10 and body["summary"]["channels"] == 500
    assert body["summary"]["modularity"] == pytest.approx(result.modularity)
    assert [c["channels"] for c in body["communities"]] == \
        result.communities["channels"].to_list()
    ranks = [c["pagerank"] for c in body["channels"]]
    assert len(ranks) == 20 and ranks == sorted(ranks, reverse=True)
    assert ranks[0] == pytest.approx(result.nodes["pagerank"].max())


async def test_unbuilt_and_bad_periods(client):
    http, _ = client
    missing = await http.get("/v1.0/communities", params={"period": "30d"})
    assert missing.status_code == 404
    assert "chatlake communities build --period 30d" in missing.json()["detail"]
    bad = await http.get("/v1.0/communities", params={"period": "9d"})
    assert bad.status_code == 400 and "period" in bad.json()["detail"]
    assert (await http.get("/v1.0/communities", params={"limit": 0})).status_code == 400
