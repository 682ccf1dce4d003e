"""OpenAPI for file downloads: the 200 response lists the media types the handler can send, each
with its body's schema (Litestar would document the handler's return as application/json)."""

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType

TEXT = Schema(type=OpenAPIType.STRING)
BINARY = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
JSON_ROWS = Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT))


def download_operation(media_types: dict[str, Schema]) -> type[Operation]:
    """An Operation class whose 200 response is a download of one of `media_types`."""

    @dataclass
    class DownloadOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if ok is None or not hasattr(ok, "content"):
                return
            ok.description = "A file download (Content-Disposition: attachment)."
            ok.content = {media_type: OpenAPIMediaType(schema=schema)
                          for media_type, schema in media_types.items()}

    return DownloadOperation
