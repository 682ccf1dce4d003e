"""Turning a built record into the importer's output: the record itself, or a BadLine saying
which contract rule it broke."""

from chatlake_contracts.chat import validate_chat_message
from chatlake_contracts.errors import RecordError

from ingest.importers.common import BadLine, bad_line


def finish_record(record: dict, location: str, raw: str) -> dict | BadLine:
    """`record` if it passes the v1 contract, else a BadLine for the input it came from."""
    problem = record_problem(record)
    return record if problem is None else bad_line(location, problem, raw)


def record_problem(record: dict) -> str | None:
    """None when `record` passes the v1 contract, else the rule it breaks (a BadLine's error).
    For importers that make a BadLine's location and raw text only when there is a problem."""
    try:
        validate_chat_message(record)
    except RecordError as error:
        return f"not a valid chat record: {error}"
    return None
