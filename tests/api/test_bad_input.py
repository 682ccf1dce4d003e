"""Bad input is a 400 or 404 whose message names the problem, never a 500."""

import pytest

pytestmark = pytest.mark.anyio

CASES = [
    ("/v1.0/clip?start=yesterday", 400, "start: 'yesterday' is not an ISO 8601 date-time"),
    ("/v1.0/clip?end=2024-13-45T00:00:00Z", 400, "end: '2024-13-45T00:00:00Z' is not an ISO"),
    ("/v1.0/clip?start=2024-02-01&end=2024-01-01", 400, "must be after start"),
    ("/v1.0/clip?start=2024-01-01T00:00:00Z&end=2024-01-01T00:00:00Z", 400, "must be after"),
    ("/v1.0/clip?start=0001-01-01", 400, "start: '0001-01-01' is outside 1970-01-01..2100"),
    ("/v1.0/clip?limit=0", 400, "query parameter limit: Expected `int` >= 1"),
    ("/v1.0/clip?limit=101", 400, "query parameter limit: Expected `int` <= 100"),
    ("/v1.0/clip?limit=ten", 400, "query parameter limit"),
    ("/v1.0/clip?cursor=not-ours", 400, "cursor: not a cursor this API issued"),
    ("/v1.0/clip?status=done", 400, "query parameter status"),
    ("/v1.0/clip?channel=nobody_here", 404, "unknown channel 'nobody_here'"),
    ("/v1.0/channels/nobody_here", 404, "unknown channel 'nobody_here'"),
    ("/v1.0/channels/nobody_here/activity", 404, "unknown channel"),
    ("/v1.0/channels/nymn/activity?interval=2s", 400, "query parameter interval"),
    ("/v1.0/channels/nymn/activity?interval=1s&start=2020-01-01&end=2024-01-01", 400,
     "at most 20000 are allowed"),
    ("/v1.0/channels/nymn/chatters?end=never", 400, "end: 'never' is not an ISO 8601"),
    ("/v1.0/channels/nymn/emotes/usage", 400, "Missing required query parameter 'emote'"),
    ("/v1.0/channels/nymn/emotes/usage?emote=", 400, "query parameter emote"),
    ("/v1.0/channels/nymn/emotes?limit=100000", 400, "query parameter limit"),
    ("/v1.0/nothing-here", 404, "Not Found"),
]


@pytest.mark.parametrize(("url", "status", "message"), CASES)
async def test_bad_input_is_named(client, url, status, message):
    response = await client.get(url)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
