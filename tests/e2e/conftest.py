"""The browser test reuses the API suite's data and live server fixtures."""

from tests.api.conftest import anyio_backend, api_lake, api_settings, live_api, seeded_now

__all__ = ["anyio_backend", "api_lake", "api_settings", "live_api", "seeded_now"]
