"""A Twitch stand-in that the real client libraries (twitchio, twitchAPI) talk to unmodified.

Twitch cannot be reached from here, so tests and `chatlake demo` run against this aiohttp
server on 127.0.0.1. It speaks OAuth, Helix, and EventSub over WebSocket as Twitch does, and
has a control interface to set the scene and inject faults.

Running it
    In async code:      async with TwitchStandIn() as standin: ...
    From sync code:     standin = TwitchStandIn().start_in_thread(); ...; standin.stop_thread()
    In tests:           the `twitch_standin` fixture (tests/twitch/fixtures.py), started in a
                        thread, so sync tests and `asyncio.run(...)` inside a test both work.
    As a process:       uv run chatlake standin [--port 8790] [--synthetic] [--chat FILE]
                        and drive it with `StandInClient(base_url)` (same method names).
    `port=0` (the default) takes a free port; read `standin.port` after start.

Addresses (attributes)
    base_url            http://127.0.0.1:PORT
    helix_url           http://127.0.0.1:PORT/helix/      twitchio Route.BASE, twitchAPI base_url
    auth_url            http://127.0.0.1:PORT/oauth2/     twitchAPI auth_base_url
    id_url              http://127.0.0.1:PORT/            twitchio Route.ID_BASE
    eventsub_ws_url     ws://127.0.0.1:PORT/ws            twitchio eventsub.websockets.WSS
    client_id, client_secret   a registered app; bot_id, bot_login   the user who authorizes

Control (Python methods; the same over HTTP under /_standin/ and in `StandInClient`).
Thread-safe: they run on the server's loop whichever thread calls them.
    register_app(client_id, client_secret)           POST /_standin/apps
    add_user(login, user_id=None)                    POST /_standin/users
    issue_user_token(user_id=bot, scopes=..., expires_in=None) -> Token
                                                     POST /_standin/tokens
    set_authorizing_user(user_id)                    POST /_standin/authorizing-user
    expire_token(access_token=None, user_id=None)    POST /_standin/tokens/expire
    set_streams([{user_id, user_login, viewer_count, game_name, started_at, ...}],
                page_overlap=0)    ranking order = list order; streamers become users
                                                     PUT  /_standin/streams
    forbid_clips(broadcaster_id, forbidden=True)     POST /_standin/clips/forbid
    clips() -> every created clip, with "visible"    GET  /_standin/clips
    add_fault(path, status, count=1, method=None, ratelimit_reset_s=1.0, message=None)
        the next `count` calls on `path` answer `status` (429 carries Ratelimit-Reset)
                                                     POST /_standin/faults (DELETE clears)
    drop_eventsub_sockets() -> n   cut every EventSub TCP connection, no close frame
                                                     POST /_standin/eventsub/drop
    send_session_reconnect()       session_reconnect to every session
                                                     POST /_standin/eventsub/reconnect
    push_chat(broadcaster_id, text, user_id=, user_login=, emotes=[{emote_id, begin, end}],
              badges=[{set_id, version}], timestamp_ms=, message_type=, bits=,
              reply_parent_message_id=, source_broadcaster_id=) -> message id
    push_events([(event, timestamp_ms)])             POST /_standin/chat (messages) and
                                                     POST /_standin/chat/events (events)
    push_raw(broadcaster_id, frame: str | bytes)     a raw (malformed) text frame
                                                     POST /_standin/chat/raw
    subscriptions(), stats()                         GET  /_standin/state

Behaviour worth knowing
    Tokens: user tokens live 4 h; refresh rotates both tokens (the old refresh token dies).
    Expired or unknown tokens get 401 "Invalid OAuth token" (Helix) / "invalid access token"
    (validate): the wording twitchio refreshes on.
    Get Streams: first <= 100, `after` cursor, `pagination: {}` on the last page.
    Create Clip: 202 {id, edit_url}; visible to Get Clips after `clip_delay_s` (default 2 s);
    404 when the channel is not live, 403 when it forbids clips; needs clips:edit.
    EventSub: see `standin.eventsub` for limits and how "no loss" is defined
    (a channel's chat waits in a buffer while it has no subscriber).
    Replay and synthetic chat: `standin.replay`, `standin.synthetic`.
"""

from standin.control import StandInClient
from standin.server import TwitchStandIn

__all__ = ["StandInClient", "TwitchStandIn"]
