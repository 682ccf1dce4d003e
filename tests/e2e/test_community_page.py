"""The page's community map in Chromium: a planted block model (300 channels in 6 blocks)
found by the real communities build and served by the API is drawn with one colour per
block and each block's size; a period without a build says which command makes it."""

import json
import subprocess
from collections import Counter

import pytest

from core.settings import Settings
from tests.api.support import LIRIK_ID, live_server
from tests.e2e.test_web_ui import ARTIFACTS, HERE, ensure_playwright
from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.maps import write_maps
from warehouse.communities.outputs import write_outputs
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat

pytestmark = [pytest.mark.slow, pytest.mark.integration]
BLOCKS = 6


@pytest.fixture
def planted_site(postgres_server, api_lake, seeded_now, tmp_path):
    chat = planted_chat(channels=300, blocks=BLOCKS, chatters=15_000, p_home=0.8, seed=5)
    result = find_communities(overlap_edges(chat.pairs), CommunitySettings(seed=3))
    folder = tmp_path / "state" / "communities" / "7d"
    write_outputs(result, folder, period="7d", period_end=None)
    write_maps(result, folder, "planted blocks")
    settings = Settings(postgres={"dsn": postgres_server}, lake={"uri": str(api_lake)},
                        state_dir=tmp_path / "state")
    with live_server(settings) as base:
        yield base, chat.blocks


def test_the_map_draws_the_planted_communities(planted_site):
    base, blocks = planted_site
    block_sizes = Counter(blocks["block"].to_list())
    ensure_playwright()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["node", str(HERE / "communities.mjs"), base, str(ARTIFACTS), LIRIK_ID],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["pageErrors"] == [] and seen["dialogs"] == []
    assert seen["circles"] == int(seen["map"]["nodes"]) == sum(block_sizes.values())
    # One colour per planted block, each colour on exactly its block's channels.
    assert sorted(seen["circleColours"].values()) == sorted(block_sizes.values())
    assert json.loads(seen["map"]["colours"]) == seen["circleColours"]
    by_colour, by_block = {}, {}
    for channel, colour in seen["colourOf"].items():
        by_colour.setdefault(colour, set()).add(channel)
    for channel, block in blocks.iter_rows():
        by_block.setdefault(block, set()).add(channel)
    assert sorted(map(sorted, by_colour.values())) == sorted(map(sorted, by_block.values()))
    assert seen["lines"] == int(seen["map"]["edges"]) > 0
    assert len(seen["legend"]) == BLOCKS
    assert "chatlake communities build --period all" in seen["unbuilt"]
