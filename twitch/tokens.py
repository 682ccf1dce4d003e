"""The seeded Twitch user token on disk, shared by every service that calls Twitch.

    store = TokenStore(settings.twitch.token_file)
    token = store.load()            # StoredToken or raises TokenFileError (never shows a token)
    store.save(replace(token, access_token=new, refresh_token=new_refresh))

The file is JSON written atomically (a temporary file in the same folder, fsync, rename) with
mode 0600 from the moment it exists, so a crash never leaves half a token and no other user
can read it. Nothing here logs a token; `StoredToken`'s repr hides both secrets.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chatlake_contracts.logformat import add_secret

from core.files import write_atomically
from core.settings import STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET, Settings

FILE_MODE = 0o600
# The stand-in's built-in app, used when no app is configured and the stand-in is in use.


class TokenFileError(RuntimeError):
    """The token file is missing or unusable; the message says what to run."""


@dataclass(frozen=True)
class StoredToken:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    user_id: str
    login: str
    client_id: str
    scopes: tuple[str, ...] = ()


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> StoredToken:
        if not self.path.is_file():
            raise TokenFileError(
                f"no Twitch token at {self.path}: run `uv run chatlake auth seed` first")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            _never_log(data.get("access_token"), data.get("refresh_token"))
            return StoredToken(
                access_token=data["access_token"], refresh_token=data["refresh_token"],
                user_id=str(data["user_id"]), login=data["login"],
                client_id=data["client_id"], scopes=tuple(data.get("scopes", ())))
        except (ValueError, KeyError, TypeError) as error:
            # The error names the problem, never the content: it may hold a token.
            raise TokenFileError(
                f"the Twitch token file {self.path} is unreadable ({type(error).__name__}); "
                "run `uv run chatlake auth seed` again") from None

    def save(self, token: StoredToken) -> None:
        _never_log(token.access_token, token.refresh_token)
        payload = json.dumps({**asdict(token), "scopes": list(token.scopes)}, indent=2)
        write_atomically(self.path, lambda handle: handle.write(payload.encode()),
                         mode=FILE_MODE)

    def update(self, *, access_token: str, refresh_token: str) -> StoredToken:
        """Persist a refreshed pair (refresh tokens rotate: the old one no longer works)."""
        old = self.load()
        new = StoredToken(access_token=access_token, refresh_token=refresh_token,
                          user_id=old.user_id, login=old.login, client_id=old.client_id,
                          scopes=old.scopes)
        self.save(new)
        return new


def app_credentials(settings: Settings) -> tuple[str, str]:
    """(client id, secret): the configured app, or the stand-in's built-in one."""
    if settings.twitch.client_id and settings.twitch.client_secret:
        return settings.twitch.client_id, settings.twitch.client_secret
    if settings.twitch.standin_url:
        return STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET
    raise TokenFileError(
        "set CHATLAKE_TWITCH_CLIENT_ID and CHATLAKE_TWITCH_CLIENT_SECRET "
        "(or CHATLAKE_TWITCH_STANDIN_URL to use the stand-in)")


def _never_log(*values: object) -> None:
    """Every token this process holds is masked in its log lines (chatlake_contracts.logformat)."""
    for value in values:
        if isinstance(value, str):
            add_secret(value)
