"""The OpenAPI document is served and matches the committed snapshot.

An intended API change: run with CHATLAKE_UPDATE_SNAPSHOTS=1 to rewrite the snapshot, and review
its diff like code.
"""

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.anyio
SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")
OPERATION_IDS = {
    "listClips", "listChannels", "getChannel", "getChatActivity", "getActiveChatters",
    "listEmotes", "getEmoteUsage", "listTuningResults", "getHealth", "getReadiness",
    "exportTable", "getVodMarkers", "getStreamMarkers", "getChatHeatmap", "listStreams",
    "getClipChat", "followLiveChat", "getChatSentiment", "getCommunities",
    "listTuningVideos", "getTuningVideo", "getCommunityMap", "listChannelNeighbours",
    "getLatestStream",
}


async def test_openapi_matches_snapshot(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    operation_ids = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert operation_ids == OPERATION_IDS
    rendered = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if os.environ.get("CHATLAKE_UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(rendered)
    assert rendered == SNAPSHOT.read_text(), (
        "the OpenAPI document changed; if intended, rerun with CHATLAKE_UPDATE_SNAPSHOTS=1"
    )


async def test_every_parameter_is_described(client):
    document = (await client.get("/schema/openapi.json")).json()
    for path, item in document["paths"].items():
        for operation in item.values():
            assert operation.get("description"), f"{path}: no docstring"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{path} {parameter['name']}: undescribed"
