"""`chatlake optout add|remove|list|erase`: users and channels who asked not to be kept."""

from typing import Annotated

import psycopg
import typer

from core.settings import Settings
from warehouse import optouts
from warehouse.erasure import complete_subject, erase_lake, vacuum_erased
from warehouse.lake_store import LakeStore
from warehouse.marts_build import DbtBuildError, build_marts, plan_build, run_dbt_subprocess
from warehouse.marts_file import MartsFile
from warehouse.optouts import OptOut

optout_app = typer.Typer(help="Opt-outs of users and channels, and erasure of their data.",
                         no_args_is_help=True)

UserOption = Annotated[str | None, typer.Option("--user", help="A user's login or Twitch id.")]
ChannelOption = Annotated[str | None, typer.Option(
    "--channel", help="A channel's login or Twitch id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(optout_app, name="optout")


def _subject(user: str | None, channel: str | None, reason: str | None = None) -> OptOut:
    if (user is None) == (channel is None):
        _fail("give exactly one of --user or --channel", code=2)
    try:
        subject_id, login = optouts.parse_subject(user or channel or "")
    except ValueError as error:
        _fail(str(error), code=2)
    return OptOut("user" if user is not None else "channel", subject_id, login, reason)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _dsn(settings: Settings) -> str:
    return settings.postgres.url


@optout_app.command("add")
def add_command(user: UserOption = None, channel: ChannelOption = None,
                reason: Annotated[str | None, typer.Option(help="Why (kept in the registry).")]
                = None,
                erase: Annotated[bool, typer.Option(
                    "--erase", help="Also erase what the lake already holds.")] = False) -> None:
    """Opt a user or channel out: from now on their chat is dropped everywhere."""
    settings = Settings()
    subject = _subject(user, channel, reason)
    store = LakeStore.from_settings(settings.lake)
    subject = complete_subject(store, subject)
    try:
        added = optouts.add(_dsn(settings), subject)
    except psycopg.Error as error:
        _fail(f"the opt-out registry (PostgreSQL) is not reachable: {error}")
    typer.echo(f"{subject.kind} {subject.audit_subject}: "
               f"{'opted out' if added else 'had opted out already'}")
    if erase:
        _erase(settings, subject)


@optout_app.command("remove")
def remove_command(user: UserOption = None, channel: ChannelOption = None) -> None:
    """Take an opt-out back: new chat is kept again (erased data does not come back)."""
    settings = Settings()
    subject = _subject(user, channel)
    try:
        removed = optouts.remove(_dsn(settings), subject)
    except psycopg.Error as error:
        _fail(f"the opt-out registry (PostgreSQL) is not reachable: {error}")
    if not removed:
        _fail(f"no opt-out of that {subject.kind} in the registry")
    typer.echo(f"{subject.kind} {subject.audit_subject}: opt-out removed")


@optout_app.command("list")
def list_command() -> None:
    """Every opt-out: kind, id, login, reason."""
    try:
        rows = optouts.list_optouts(_dsn(Settings()))
    except psycopg.Error as error:
        _fail(f"the opt-out registry (PostgreSQL) is not reachable: {error}")
    for row in rows:
        typer.echo(f"{row.kind}\t{row.subject_id or '-'}\t{row.subject_login or '-'}\t"
                   f"{row.reason or ''}")
    typer.echo(f"{len(rows)} opt-out(s)", err=True)


@optout_app.command("erase")
def erase_command(user: UserOption = None, channel: ChannelOption = None,
                  postgres: Annotated[bool, typer.Option(
                      "--postgres", help="A channel's clips and detections in PostgreSQL too.")]
                  = False) -> None:
    """Erase an opted-out subject's rows from every lake table, rebuild the marts' affected
    days, vacuum; rerun to finish an interrupted erasure."""
    settings = Settings()
    subject = _subject(user, channel)
    try:
        registered = optouts.find(_dsn(settings), subject)
    except psycopg.Error as error:
        _fail(f"the opt-out registry (PostgreSQL) is not reachable: {error}")
    if registered is None:
        _fail(f"that {subject.kind} has not opted out: run `chatlake optout add` first")
    _erase(settings, registered, postgres=postgres)


def _erase(settings: Settings, subject: OptOut, *, postgres: bool = False) -> None:
    store = LakeStore.from_settings(settings.lake)
    subject = complete_subject(store, subject)
    deleted = erase_lake(store, subject)
    for table, rows in deleted.items():
        typer.echo(f"{table}: {rows} rows deleted")
    if postgres:
        if subject.kind != "channel" or not subject.subject_id:
            _fail("--postgres erases a channel's clips and detections: give its channel id")
        deleted.update(optouts.erase_channel_postgres(_dsn(settings), subject.subject_id))
        typer.echo(f"clips: {deleted['clips']} rows deleted")
    optouts.record_audit(_dsn(settings), "erase", subject, deleted)
    marts = MartsFile(settings.warehouse_path)
    if marts.last_build() is not None:
        try:
            build = build_marts(store, marts, plan_build(store, marts), run_dbt_subprocess)
        except DbtBuildError as error:
            _fail(f"the lake is erased but the marts were not rebuilt (rerun this): {error}")
        typer.echo("marts: rebuilt " + ("nothing" if build is None else
                   "everything" if build.days is None else f"{len(build.days)} day(s)"))
    removed = vacuum_erased(store, settings.privacy.reader_retention_hours)
    typer.echo(f"vacuum: {sum(removed.values())} old files removed "
               f"(reader retention {settings.privacy.reader_retention_hours} h)")
