"""GET /: the web UI, one static page whose script calls the API."""

from pathlib import Path

from litestar import Controller, MediaType, Response, get

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class PageController(Controller):
    path = "/"
    include_in_schema = False

    @get(operation_id="getPage", media_type=MediaType.HTML, cache=False)
    async def page(self) -> Response[bytes]:
        """The clips grid and the charts (api/static/index.html)."""
        return Response(
            (STATIC_DIR / "index.html").read_bytes(),
            media_type=MediaType.HTML,
            headers={"Cache-Control": "no-cache"},
        )
