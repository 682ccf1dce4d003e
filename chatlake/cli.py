"""The `chatlake` command. Each group of sub-commands lives in `chatlake.commands.*`."""

import sys

import typer
from pydantic import ValidationError

from chatlake.commands import (
    api,
    archive,
    auth,
    backtest,
    clipper,
    clips,
    communities,
    demo,
    detector,
    export,
    importing,
    ingest,
    lake,
    markers,
    marts,
    monitor,
    ops,
    optout,
    sentiment,
    sql,
    stack,
    standin,
)
from chatlake.embedded import services
from core import logs
from core.settings import Settings

app = typer.Typer(
    name="chatlake",
    help="A batch-plus-stream lakehouse for Twitch chat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for module in (stack, importing, archive, sql, lake, detector, standin, auth, ingest, api, monitor,
               clipper, demo, backtest, ops, export, markers, marts, sentiment,
               communities, optout, clips):
    module.register(app)


def main() -> None:
    argv = sys.argv[1:]
    try:
        service = services.long_running(argv)  # archiver, api, ingest, ... or None (one-shot)
        logs.setup(service or logs.service_name(argv))  # CHATLAKE_LOG_FORMAT, _LOG_LEVEL
        if service is not None:
            services.announce(Settings(), service, argv)  # `chatlake status` lists this process
        app()
    except ValidationError as error:  # a CHATLAKE_* setting that cannot be used
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                             for e in error.errors())
        sys.exit(f"error: bad settings ({error.title}): {problems}")


if __name__ == "__main__":
    main()
