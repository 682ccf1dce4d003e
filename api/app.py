"""The Litestar app: `create_app(settings)` for servers, `create_app(settings, resources=...)`
for tests that bring their own pool and lake.

Routes: `/` (web UI), `/static/*`, `/health`, `/health/ready`, `/metrics`, `/schema/openapi.json`
and the JSON API under `/v1.0/`.
"""

from collections.abc import Callable

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.static_files import create_static_files_router

from api.controllers.channel_profile import ChannelProfileController
from api.controllers.channels import ChannelController
from api.controllers.chatters import ChatterController
from api.controllers.clips import ClipController
from api.controllers.communities import CommunitiesController
from api.controllers.emotes import EmoteController
from api.controllers.exports import ExportController
from api.controllers.health import HealthController
from api.controllers.live_chat import LiveChatController
from api.controllers.markers import MarkerController
from api.controllers.neighbours import NeighbourController
from api.controllers.page import STATIC_DIR, PageController
from api.controllers.sentiment import SentimentController
from api.controllers.stream_metadata import StreamMetadataController
from api.controllers.tuning import TuningController
from api.controllers.tuning_videos import TuningVideoController
from api.errors import EXCEPTION_HANDLERS
from api.resources import Resources, build_resources, lifespan, provide_resources
from api.security_headers import add_security_headers
from core.settings import Settings

API_VERSION = "1.0"
CONTROLLERS = (
    ClipController,
    ChannelController,
    ChannelProfileController,
    ChatterController,
    SentimentController,
    CommunitiesController,
    NeighbourController,
    StreamMetadataController,
    EmoteController,
    TuningController,
    TuningVideoController,
    ExportController,
    MarkerController,
    HealthController,
    LiveChatController,
    PageController,
)


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="chatlake API",
        version=API_VERSION,
        description="Clips detected in Twitch chat, and the chat analytics behind them.",
        path="/schema",
        # JSON only: the HTML renderers load their scripts from CDNs, and the UI works offline.
        render_plugins=[JsonRenderPlugin()],
        use_handler_docstrings=True,
    )


def create_app(
    settings: Settings,
    *,
    resources: Callable[[], Resources] | None = None,
    debug: bool = False,
) -> Litestar:
    """The app over `settings.postgres.url` and `settings.lake.uri`; `resources` replaces how the
    pool and the lake reader are built (they are opened and closed in the lifespan either way)."""
    make = resources or (lambda: build_resources(settings.postgres.url, settings.lake.uri,
                                                 settings.warehouse_path,
                                                 settings.kafka.servers))
    metrics = PrometheusConfig(app_name="chatlake_api", prefix="chatlake", group_path=True)
    return Litestar(
        route_handlers=[
            *CONTROLLERS,
            MetricsController,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        lifespan=[lifespan(make)],
        dependencies={"resources": Provide(provide_resources, sync_to_thread=False)},
        middleware=[metrics.middleware],
        before_send=[add_security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        # No logging set-up of Litestar's own: the process's (core.logs) formats every line.
        logging_config=None,
        debug=debug,
    )
