"""Small validators used by the record modules. Each raises RecordError naming the field."""

from typing import Any

from chatlake_contracts.errors import RecordError

# Epoch milliseconds between 2005-01-01 and 2100-01-01: Twitch did not exist before, and a
# value outside this range is a unit mistake (seconds, microseconds) rather than a time.
MIN_TIMESTAMP_MS = 1_104_537_600_000
MAX_TIMESTAMP_MS = 4_102_444_800_000


def require(record: dict[str, Any], field: str) -> Any:
    if field not in record:
        raise RecordError(f"missing field {field!r}")
    return record[field]


# The default length limit of string fields (ids, logins, names).
MAX_STRING_LENGTH = 256


def string(value: Any, field: str, *, optional: bool = False, allow_empty: bool = False,
           max_length: int = MAX_STRING_LENGTH) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RecordError(f"field {field!r} must be a string, got {type(value).__name__}")
    if not value and not (optional or allow_empty):
        raise RecordError(f"field {field!r} must not be empty")
    if len(value) > max_length:
        raise RecordError(f"field {field!r} is {len(value)} characters long, limit {max_length}")
    return value


def integer(value: Any, field: str, *, optional: bool = False, low: int | None = None,
            high: int | None = None) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"field {field!r} must be an integer, got {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise RecordError(f"field {field!r} = {value} is outside [{low}, {high}]")
    return value


def number(value: Any, field: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"field {field!r} must be a number, got {type(value).__name__}")
    return float(value)


def boolean(value: Any, field: str, *, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise RecordError(f"field {field!r} must be true or false, got {type(value).__name__}")
    return value


def timestamp_ms(value: Any, field: str = "timestamp") -> int:
    integer(value, field)
    if not MIN_TIMESTAMP_MS <= value < MAX_TIMESTAMP_MS:
        raise RecordError(
            f"field {field!r} = {value} is not epoch milliseconds between 2005 and 2100"
        )
    return value


def one_of(value: Any, field: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise RecordError(f"field {field!r} = {value!r} is not one of {sorted(allowed)}")
    return value
