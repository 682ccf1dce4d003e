"""Turning a built record into the importer's output: the record itself, or a BadLine saying
which contract rule it broke."""

from chatlake_contracts.chat import validate_chat_message
from chatlake_contracts.errors import RecordError

from ingest.importers.common import BadLine, bad_line


def finish_record(record: dict, location: str, raw: str) -> dict | BadLine:
    """`record` if it passes the v1 contract, else a BadLine for the input it came from."""
    try:
        return validate_chat_message(record)
    except RecordError as error:
        return bad_line(location, f"not a valid chat record: {error}", raw)
