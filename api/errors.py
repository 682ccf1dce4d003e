"""Error responses: every client mistake names what is wrong; outages are 503, not 500."""

import logging

import psycopg
from litestar import MediaType, Request, Response
from litestar.exceptions import ValidationException
from psycopg_pool import PoolTimeout

log = logging.getLogger(__name__)


def validation_error(request: Request, exc: ValidationException) -> Response:
    """Litestar's 400 says "Validation failed for GET /path"; ours names each parameter too."""
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            source = getattr(item.get("source"), "value", item.get("source")) or "request"
            where = f"{source} parameter {item.get('key', '?')}"
            problems.append(f"{where}: {item.get('message', 'invalid')}")
    detail = "; ".join(problems) or str(exc.detail)
    return Response(
        {"status_code": 400, "detail": detail},
        status_code=400,
        media_type=MediaType.JSON,
    )


def database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("PostgreSQL unavailable for %s: %s", request.url.path, exc)
    return Response(
        {"status_code": 503, "detail": f"PostgreSQL is unavailable: {type(exc).__name__}"},
        status_code=503,
        media_type=MediaType.JSON,
        headers={"Retry-After": "5"},
    )


EXCEPTION_HANDLERS = {
    ValidationException: validation_error,
    psycopg.OperationalError: database_unavailable,
    PoolTimeout: database_unavailable,
}
