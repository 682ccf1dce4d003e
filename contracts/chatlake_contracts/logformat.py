"""The log line every chatlake process writes, and the mask that keeps secrets out of it.

One set-up for every service, the PyFlink job included (hence here, in the standard-library
contracts both environments share):

    configure("clipper", fmt="json")      # or "text"; at the entry point, once

`json` writes one JSON object per line, ready for Promtail/Loki or any collector:

    {"time": "2026-12-02T13:01:41.123Z", "level": "info", "service": "clipper",
     "logger": "clipper.service", "event": "clipper running (4 workers)", "fields": {...}}

`fields` holds what the call passed with `extra=` and, on errors, the traceback (`exception`).
Every line, text or JSON, goes through `mask`: registered secret values (`add_secret`: the
client secret, every token the process loads or refreshes) and anything shaped like a
credential (`access_token=...`, `"refresh_token": "..."`, `Authorization: Bearer ...`,
`oauth:...`, `client_secret=...`, `password=...`) become `***`.
"""

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

FORMATS = ("text", "json")
MASK = "***"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_KEYS = r"(?:access_token|refresh_token|client_secret|id_token|password|code|token)"
_PATTERNS = (
    # key=value in URLs, forms and command lines (value ends at a separator or a quote)
    re.compile(rf"(?i)(\b{_KEYS}=)[^\s&\"',;}}\]]+"),
    # "key": "value" in JSON and reprs
    re.compile(rf"(?i)([\"']{_KEYS}[\"']\s*:\s*[\"'])[^\"']+"),
    re.compile(r"(?i)(\b(?:Bearer|OAuth)\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(\boauth:)[A-Za-z0-9]{8,}"),
    # URLs with credentials: scheme://user:password@host
    re.compile(r"(://[^:/\s@]+:)[^@\s/]+(?=@)"),
)
# Standard LogRecord attributes: everything else on a record came from `extra=`.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

_secrets: set[str] = set()
_lock = threading.Lock()


def add_secret(value: str | None) -> None:
    """Never write this value (a token, a client secret) in any log line from now on."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def mask(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        fields = {key: _plain(value) for key, value in vars(record).items()
                  if key not in _RESERVED and not key.startswith("_")}
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack"] = record.stack_info
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "event": record.getMessage(),
            "fields": fields,
        }
        # Masked before encoding (JSON escapes the quotes the patterns look for), and after.
        line["event"] = mask(line["event"])
        line["fields"] = {key: mask(value) if isinstance(value, str) else value
                          for key, value in fields.items()}
        return mask(json.dumps(line, ensure_ascii=False, default=str))


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)


def configure(service: str, *, fmt: str = "text", level: int | str = logging.INFO,
              stream: TextIO | None = None, secrets: Iterable[str | None] = ()) -> None:
    """Route every logger of this process (warnings and uncaught exceptions too) to one
    handler on `stream` (stderr) in `fmt`; replaces handlers configured before."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: expected one of {', '.join(FORMATS)}")
    for secret in secrets:
        add_secret(secret)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service) if fmt == "json"
                         else MaskingFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)

    def log_uncaught(kind, value, traceback) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, traceback)
            return
        logging.getLogger(service).critical("uncaught %s: %s", kind.__name__, value,
                                            exc_info=(kind, value, traceback))

    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(args.exc_type, args.exc_value,
                                                     args.exc_traceback)


def adopt(logger_names: Iterable[str]) -> None:
    """Make libraries that install their own handlers (uvicorn) write through ours instead."""
    for name in logger_names:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
