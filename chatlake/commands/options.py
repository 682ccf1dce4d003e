"""Parsing of option values that several commands share."""

from datetime import UTC, datetime

import typer


def iso_time(value: str | None, option: str) -> datetime | None:
    """`value` as a UTC-aware time (a naive one is taken as UTC); a clear error naming
    `option` when it is not ISO 8601."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} {value!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
