"""The dead-letter record: something that could not be parsed, kept with the reason.

    {"v": 1, "origin": str,          # which service or importer rejected it
     "error": str,                   # what is wrong, naming the field
     "raw": str,                     # the input as text (undecodable bytes escaped)
     "location": str | null,         # file and line, topic/partition/offset, ...
     "timestamp": int}               # epoch ms when it was rejected
"""

from typing import Any

VERSION = 1


def dead_letter(*, origin: str, error: str, raw: bytes | str, timestamp: int,
                location: str | None = None) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="backslashreplace")
    return {"v": VERSION, "origin": origin, "error": error, "raw": raw,
            "location": location, "timestamp": timestamp}
