"""The page, static assets, health, readiness and metrics."""

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from core.settings import Settings

pytestmark = pytest.mark.anyio


async def test_page_and_assets_are_served_locally(client):
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    # Offline: nothing is loaded from another origin.
    assert "https://" not in html.replace("https://clips.twitch.tv", "")
    for asset in ("/static/app.js", "/static/app.css", "/static/vendor/uplot/uPlot.iife.min.js",
                  "/static/vendor/uplot/uPlot.min.css", "/static/placeholder.svg"):
        assert asset in html or asset.endswith("placeholder.svg")
        response = await client.get(asset)
        assert response.status_code == 200, asset
    assert (await client.get("/static/vendor/uplot/LICENSE")).status_code == 200
    assert (await client.get("/static/../app.py")).status_code == 404


async def test_health_and_readiness(client):
    assert (await client.get("/health")).json() == {"status": "ok", "checks": []}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert {c["name"]: c["ok"] for c in ready.json()["checks"]} == {"postgres": True, "lake": True}


async def test_readiness_fails_without_postgres(tmp_path):
    settings = Settings(
        postgres={"dsn": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"},
        lake={"uri": str(tmp_path / "lake")},
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        checks = {c["name"]: c for c in ready.json()["checks"]}
        assert not checks["postgres"]["ok"] and checks["lake"]["ok"]
        assert (await client.get("/health")).status_code == 200
        clips = await client.get("/v1.0/clip")
        assert clips.status_code == 503
        assert "PostgreSQL is unavailable" in clips.json()["detail"]


async def test_metrics_are_prometheus_text(client):
    await client.get("/v1.0/channels")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "chatlake_requests_total" in response.text
    assert 'path="/v1.0/channels"' in response.text
