"""The community maps of a planted block model (600 channels, 12 blocks): the PNG read back
shows 12 community colours, the HTML map in Chromium draws every channel in its community's
colour, one colour per planted block, with no network and no name turned into markup."""

import json
import subprocess

import numpy as np
import polars as pl
import pytest
from PIL import Image

from tests.e2e.test_web_ui import ARTIFACTS, HERE, ensure_playwright
from warehouse.communities.agreement import adjusted_rand_index
from warehouse.communities.build import CommunitySettings, find_communities
from warehouse.communities.layout import PALETTE
from warehouse.communities.maps import write_maps
from warehouse.communities.overlap import overlap_edges
from warehouse.communities.synthetic import planted_chat

pytestmark = [pytest.mark.slow, pytest.mark.integration]
BLOCKS = 12
HOSTILE = '</script><img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    chat = planted_chat(channels=600, blocks=BLOCKS, chatters=30_000, p_home=0.8, seed=11)
    result = find_communities(overlap_edges(chat.pairs), CommunitySettings(seed=3))
    # A hostile login must stay text.
    result = type(result)(result.nodes.with_columns(
        broadcaster_login=pl.when(pl.col("index") == 0).then(pl.lit(HOSTILE))
        .otherwise(pl.col("broadcaster_id"))), result.edges, result.communities,
        result.modularity, result.random_modularity, result.settings)
    folder = tmp_path_factory.mktemp("maps")
    png, page = write_maps(result, folder, "planted blocks")
    truth = result.nodes.join(chat.blocks, on="broadcaster_id", maintain_order="left")
    return result, truth, png, page


def test_the_png_shows_the_planted_communities(maps):
    result, truth, png, _ = maps
    assert adjusted_rand_index(truth["block"].to_numpy(), result.nodes["community"].to_numpy()) \
        >= 0.9
    pixels = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3)
    colours = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in PALETTE[:BLOCKS]}
    found, counts = np.unique(pixels, axis=0, return_counts=True)
    painted = {tuple(int(v) for v in colour) for colour, n in zip(found, counts, strict=True)
               if n >= 200}
    assert colours <= painted  # every community's colour covers a visible area
    unused = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in PALETTE[BLOCKS:]}
    assert not (unused & painted)  # and no 13th community


def test_the_html_map_in_chromium_shows_the_planted_communities(maps):
    ensure_playwright()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result, truth, _, page = maps
    run = subprocess.run(["node", str(HERE / "community_map.mjs"), str(page),
                          str(ARTIFACTS / "community-map.png")],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["external"] == [] and seen["pageErrors"] == [] and seen["consoleErrors"] == []
    # One colour per community, 12 of them, each as many nodes as its planted block.
    assert len(seen["domPerColour"]) == BLOCKS
    assert set(seen["communitiesPerColour"].values()) == {1}
    expected = sorted(truth.group_by("block").len()["len"].to_list())
    assert sorted(seen["domPerColour"].values()) == expected
    assert seen["renderer"]["nodesPerColour"] == seen["domPerColour"]
    assert seen["renderer"]["nodes"] == result.nodes.height == 600
    assert seen["edgeLines"] == min(result.edges.height, 20_000) > 0
    assert len(seen["legend"]) == BLOCKS
    assert seen["scriptsInjected"] == 0 and seen["viewBox"] != "0 0 1000 1000"
    assert HOSTILE not in page.read_text()  # escaped in the page source
