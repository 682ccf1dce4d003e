"""Logging for every chatlake process, set up once at the entry point.

    logs.setup("clipper")    # CHATLAKE_LOG_FORMAT=json: one JSON object per line

The line format and the secret mask live in `chatlake_contracts.logformat`, so the PyFlink job
(its own environment) writes the very same lines; this module adds the settings and the
secrets the settings know (the Twitch client secret, the PostgreSQL password).
"""

from urllib.parse import urlsplit

from chatlake_contracts import logformat

from core.settings import STANDIN_CLIENT_SECRET, LogSettings, PostgresSettings, TwitchSettings


def service_name(argv: list[str]) -> str:
    """The name of a one-shot command in log lines (`chatlake sql` -> chatlake-sql); the
    long-running ones are named by `chatlake.embedded.services.long_running`."""
    words = [word for word in argv if not word.startswith("-")]
    return f"chatlake-{words[0]}" if words else "chatlake"


def setup(service: str, settings: LogSettings | None = None) -> LogSettings:
    settings = settings or LogSettings()
    twitch = TwitchSettings()
    password = urlsplit(PostgresSettings().url).password
    logformat.configure(service, fmt=settings.format, level=settings.level.upper(),
                        secrets=(twitch.client_secret, STANDIN_CLIENT_SECRET, password))
    logformat.adopt(("uvicorn", "uvicorn.error", "uvicorn.access"))
    return settings
