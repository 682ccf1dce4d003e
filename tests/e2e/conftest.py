"""The browser tests reuse the API suite's data and live server fixtures, and can publish
their screenshots for the README."""

import os
import shutil
from pathlib import Path

import pytest

from tests.api.conftest import anyio_backend, api_lake, api_settings, live_api, seeded_now

__all__ = ["anyio_backend", "api_lake", "api_settings", "live_api", "seeded_now"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Pages that show no chat lines from ../shared/data (its usernames stay out of the repository).
PUBLISHED = ("01-clips-grid", "03-charts", "04-dark-mode", "05-narrow",
             "06-channel-profile-dark", "07-channel-profile-narrow", "08-live-chat",
             "09-communities")


@pytest.fixture(scope="session", autouse=True)
def publish_screenshots():
    """With CHATLAKE_UPDATE_SCREENSHOTS=1, the screenshots the tests wrote replace the ones
    under docs/screenshots/ once the session ends."""
    yield
    if os.environ.get("CHATLAKE_UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    for name in PUBLISHED:
        shot = ARTIFACTS / f"{name}.png"
        if shot.exists():
            shutil.copyfile(shot, SCREENSHOTS / shot.name)
