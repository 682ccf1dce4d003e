"""What the API promises a browser and an operator: security headers on every response (the
page, the JSON, the files, the errors) and no way to change anything over HTTP."""

import httpx
import pytest

from api.security_headers import SECURITY_HEADERS
from tests.api.support import NYMN_ID

pytestmark = pytest.mark.integration
PATHS = ("/", "/static/app.js", "/v1.0/clip", f"/v1.0/channels/{NYMN_ID}",
         "/v1.0/channels/no-such-channel", "/v1.0/clip?limit=0", "/health", "/metrics")


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(live_api, path):
    response = httpx.get(f"{live_api}{path}", timeout=30)
    assert response.status_code in (200, 400, 404)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)


def test_no_operation_writes(live_api):
    """Every documented operation is a read; a write method on any route is refused."""
    document = httpx.get(f"{live_api}/schema/openapi.json", timeout=30).json()
    methods = {method for operations in document["paths"].values() for method in operations}
    assert methods == {"get"}
    for path in ("/v1.0/clip", f"/v1.0/channels/{NYMN_ID}", "/v1.0/exports/channels"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert httpx.request(method, f"{live_api}{path}", timeout=30).status_code == 405, \
                (method, path)
