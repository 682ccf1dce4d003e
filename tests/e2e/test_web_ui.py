"""The web UI in headless Debian chromium (driven by npm playwright-core) over real chat.

Needs `/usr/bin/chromium` (apt-get install chromium) and `npm ci` in tests/e2e (done here when
node_modules is missing). Screenshots go to test-artifacts/e2e/; CHATLAKE_UPDATE_SCREENSHOTS=1
also publishes them to docs/screenshots/ (see conftest.py).
"""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.api.support import NYMN_ID, RECENT_CLIPS, clip_id
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.integration]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
INTERVAL = "30s"


def ensure_playwright() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver")
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed: apt-get install -y nodejs npm")
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300
        )


def test_grid_playback_and_emote_chart(live_api):
    ensure_playwright()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("0[1-5]-*.png"):  # its own; other tests write theirs
        old.unlink()
    run = subprocess.run(
        ["node", str(HERE / "browser.mjs"), live_api, str(ARTIFACTS), NYMN_ID, INTERVAL],
        capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    # The grid: the last 7 days' completed clips, newest first (older and failed ones absent).
    assert seen["clipIds"] == [clip_id(n) for n in range(RECENT_CLIPS)]
    assert seen["gridColumns"] >= 3 and seen["narrowGridColumns"] == 1

    # Clicking plays inline: Twitch's embed with this clip and the page's host as parent.
    src = urlparse(seen["iframeSrc"])
    assert (src.scheme, src.netloc, src.path) == ("https", "clips.twitch.tv", "/embed")
    assert parse_qs(src.query) == {"clip": [seen["clicked"]], "parent": ["127.0.0.1"]}
    assert seen["clicked"] == clip_id(2) and seen["iframeCount"] == 1

    # The emote chart drew the chosen 7TV emote at the chosen interval.
    chart = seen["emoteChart"]
    assert chart["total"] > 0 and chart["points"] > 1
    assert chart["painted"] > 1000, chart
    assert seen["rateDetections"] == 1
    assert seen["theme"] == "dark" and seen["darkBackground"] == "rgb(15, 15, 20)"

    # Offline: the only requests leaving the app are Twitch's (thumbnails, the player).
    outside = {urlparse(url).netloc for url in seen["external"]}
    assert outside <= {"clips.twitch.tv", "clips-media-assets2.twitch.tv"}, outside
    assert not seen["pageErrors"], seen["pageErrors"]
    # The page works whole under the API's Content-Security-Policy: nothing was blocked.
    assert seen["cspViolations"] == [], seen["cspViolations"]
    for name in ("01-clips-grid", "02-clip-playing", "03-charts", "04-dark-mode", "05-narrow"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000
