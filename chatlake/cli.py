"""The `chatlake` command. Each group of sub-commands lives in `chatlake.commands.*`."""

import logging

import typer

from chatlake.commands import (
    api,
    archive,
    auth,
    backtest,
    clipper,
    demo,
    detector,
    export,
    importing,
    ingest,
    lake,
    markers,
    monitor,
    sql,
    stack,
    standin,
)

app = typer.Typer(
    name="chatlake",
    help="A batch-plus-stream lakehouse for Twitch chat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for module in (stack, importing, archive, sql, lake, detector, standin, auth, ingest, api, monitor,
               clipper, demo, backtest, export, markers):
    module.register(app)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()


if __name__ == "__main__":
    main()
