"""`chatlake auth seed|status`: seed the Twitch user token once; check it later.

`seed` runs the OAuth authorization-code flow headlessly with pyTwitchAPI's
UserAuthenticator: it prints the URL to open, then takes the redirect on a local callback
(the port of CHATLAKE_TWITCH_REDIRECT_URL) or, with --paste, the code (or the whole
redirected URL) typed in. The token goes to the token file (atomic, mode 0600); no token is
ever printed or logged.
"""

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlparse

import typer
from twitchAPI.oauth import UserAuthenticator, validate_token
from twitchAPI.twitch import Twitch
from twitchAPI.type import AuthScope

from core.settings import Settings
from twitch.tokens import StoredToken, TokenFileError, TokenStore, app_credentials

SCOPES = [AuthScope.USER_READ_CHAT, AuthScope.USER_BOT, AuthScope.CLIPS_EDIT]

auth_app = typer.Typer(help="Seed and check the Twitch user token.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth")


@auth_app.command("seed")
def seed(
    paste: bool = typer.Option(
        False, "--paste", help="Type in the code (or redirected URL) instead of a callback."),
    code: str | None = typer.Option(None, "--code", help="An authorization code you have."),
) -> None:
    """Authorize chatlake on Twitch (scopes user:read:chat user:bot clips:edit)."""
    settings = Settings()
    try:
        client_id, client_secret = app_credentials(settings)
    except TokenFileError as error:
        raise typer.BadParameter(str(error)) from None
    store = TokenStore(settings.twitch.token_file)

    async def show(url: str) -> None:
        typer.echo(f"Open this URL in a browser and authorize chatlake:\n\n  {url}\n")
        if not paste:
            typer.echo(f"Waiting for Twitch to redirect to {settings.twitch.redirect_url} ...")

    if paste and code is None:
        typer.echo(f"Open this URL, authorize, then paste the code or the URL you land on:\n\n"
                   f"  {authorize_url(settings, client_id)}\n")
        code = code_from(typer.prompt("code or URL", hide_input=True))
    token = asyncio.run(seed_token(
        client_id=client_id, client_secret=client_secret, helix_url=settings.twitch.helix,
        auth_url=settings.twitch.auth, redirect_url=settings.twitch.redirect_url, store=store,
        code=code, on_url=show))
    typer.echo(f"Saved a token for {token.login} (user id {token.user_id}) with scopes "
               f"{' '.join(token.scopes)} to {store.path}")


@auth_app.command("status")
def status() -> None:
    """Validate the stored token and say whose it is and for how long (never the token)."""
    settings = Settings()
    try:
        token = TokenStore(settings.twitch.token_file).load()
    except TokenFileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    info = asyncio.run(validate_token(token.access_token, auth_base_url=settings.twitch.auth))
    if "user_id" not in info:
        typer.echo("the stored token does not validate (services will try to refresh it)")
        raise typer.Exit(1)
    scopes = " ".join(getattr(s, "value", s) for s in info.get("scopes") or [])
    typer.echo(f"token of {info['login']} (user id {info['user_id']}), scopes {scopes}, "
               f"expires in {info['expires_in']} s")


async def seed_token(*, client_id: str, client_secret: str, helix_url: str, auth_url: str,
                     redirect_url: str, store: TokenStore, code: str | None = None,
                     on_url: Callable[[str], Awaitable[None]]) -> StoredToken:
    """Run the authorization-code flow and save the user token; returns what was saved."""
    twitch = await Twitch(client_id, client_secret, base_url=helix_url, auth_base_url=auth_url)
    try:
        redirect = urlparse(redirect_url)
        local = redirect.hostname in ("localhost", "127.0.0.1")
        authenticator = UserAuthenticator(
            twitch, SCOPES, force_verify=False, url=redirect_url,
            # A local redirect needs only the loopback interface, not every interface.
            host="127.0.0.1" if local else "0.0.0.0",  # noqa: S104 - a remote redirect host
            port=redirect.port or 80, auth_base_url=auth_url)
        if code is not None:
            access, refresh = await authenticator.authenticate(user_token=code)
        else:
            access, refresh = await authenticator.authenticate(use_browser=False,
                                                               auth_url_callback=on_url)
        info = await validate_token(access, auth_base_url=auth_url)
    finally:
        await twitch.close()
    if "user_id" not in info:
        raise typer.BadParameter("Twitch did not accept the new token; try `auth seed` again")
    token = StoredToken(access_token=access, refresh_token=refresh, user_id=info["user_id"],
                        login=info["login"], client_id=client_id,
                        # pyTwitchAPI hands scopes back as AuthScope enums
                        scopes=tuple(getattr(s, "value", s) for s in info.get("scopes") or ()))
    store.save(token)
    return token


def authorize_url(settings: Settings, client_id: str) -> str:
    from twitchAPI.helper import build_scope, build_url

    return build_url(settings.twitch.auth + "authorize", {
        "client_id": client_id, "redirect_uri": settings.twitch.redirect_url,
        "response_type": "code", "scope": build_scope(SCOPES), "force_verify": "false"})


def code_from(answer: str) -> str:
    """A pasted code, or the code inside a pasted redirect URL."""
    answer = answer.strip()
    if "code=" in answer:
        codes = parse_qs(urlparse(answer).query).get("code")
        if codes:
            return codes[0]
    return answer
