"""The real-time face: Socket.IO handlers, room names and emit-after-commit.

The protocol is docs/realtime.md. Modules: :mod:`auth` (identity from the cookie, per socket),
:mod:`rooms` (room names), :mod:`payload` (reading client payloads), :mod:`emit` (the
emit-after-commit outbox), :mod:`throttle` (coalesced projector counters), :mod:`cluster`
(what workers tell each other over the message queue), :mod:`connection`
(connect/disconnect/sync), :mod:`handlers` (the event runner), :mod:`handlers_participant`,
:mod:`handlers_organiser`, :mod:`handlers_continue` and :mod:`handlers_retrospective` (one small
function per event), :mod:`whole_frames` (every websocket frame is sent whole).

Below the handlers: :mod:`context` (the socket's identity as database objects, and where a
handler queues its broadcasts), :mod:`acks` (error answers), :mod:`table_rooms` (moving
sockets between table rooms). :func:`register_realtime` attaches every handler, from above
both :mod:`connection` and the write events, so that they never import each other.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, abort
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_socketio import SocketIO

from meetup.extensions import socketio


def register_realtime(app: Flask) -> None:
    origins = app.config.get("SOCKETIO_ALLOWED_ORIGINS")
    if origins is None and app.config.get("PUBLIC_URL"):
        origins = [app.config["PUBLIC_URL"]]
    from meetup.realtime import cluster, throttle, whole_frames, wire

    whole_frames.install()  # large snapshots must not be cut off (see whole_frames)

    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    options = {}
    manager = cluster.client_manager(queue)
    if manager is not None:
        # A room index per socket; with Redis also worker messages (see cluster).
        options["client_manager"] = manager
    throttle.counts_throttle.gate = cluster.gate_for(queue)
    socketio.init_app(
        app,
        message_queue=queue,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
        # None: only the application's own origin (the Host of the request) is accepted.
        cors_allowed_origins=origins,
        # The cookie is read once per connection (at connect, where the identity is decided)
        # and kept with the socket, instead of being verified and decoded again for every
        # event. Socket events never write to the session.
        manage_session=True,
        # Snapshots arrive as JSON already (shared parts encoded once): sent as they are.
        serializer=wire.Packet,
        **options,
    )
    # init_app builds a new Socket.IO server for every app, so handlers are attached here.
    register_handlers(socketio)
    from meetup.realtime.allowance import refuse_reserved_events

    refuse_reserved_events(socketio.server, app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SocketSessionInterface()
    # Flask-SocketIO pushes a request context for every socket event, with the handshake's
    # URL. Without a rule for it, Flask raised and kept a NotFound per event, whose traceback
    # tied the request context into a reference cycle: tens of thousands of objects a minute
    # for the garbage collector under load (issue 12). The Engine.IO middleware answers this
    # path before Flask ever sees it over HTTP, so the view is never called.
    app.add_url_rule("/socket.io/", "socketio_handshake", _never_over_http)
    app.add_url_rule("/socket.io/", "socketio_websocket", _never_over_http, websocket=True)


def register_handlers(sio: SocketIO) -> None:
    """Attach every handler to the server ``init_app`` just built (one per app).

    The one place that imports both the connection events and the write events (which
    declare themselves in :data:`handlers.EVENTS` when imported), so neither imports the other.
    """
    from meetup.realtime import connection, handlers_organiser, handlers_participant  # noqa: F401
    from meetup.realtime.handlers import EVENTS, bind
    from meetup.realtime.handlers_continue import on_previous
    from meetup.realtime.handlers_retrospective import on_mine

    sio.on("connect")(connection.on_connect)
    sio.server.on("disconnect", connection.on_disconnect, namespace="/")
    sio.on("sync")(connection.on_sync)
    sio.on("agreement.previous")(on_previous)
    sio.on("retrospective.mine")(on_mine)
    sio.on("*")(connection.on_unknown)
    for spec in EVENTS.values():
        sio.on(spec.name)(bind(spec))


def _never_over_http() -> Any:
    abort(404)


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, but a socket event does not verify and decode the cookie again.

    Flask-SocketIO pushes a request context for every event, which opens the session from the
    handshake's cookie (an HMAC check and a JSON decode, 7 % of a note burst in py-spy)
    and then replaces it with the socket's own copy, kept in the handshake's environ since
    connect (``manage_session``). That copy is returned at once; HTTP requests are unchanged.
    """

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        saved = request.environ.get("saved_session")
        if saved is not None:
            return saved  # type: ignore[no-any-return]
        return super().open_session(app, request)


def _async_mode() -> str:
    """gevent when ``meetup serve`` patched the standard library, else plain threads.

    Chosen explicitly: Flask's CLI would otherwise make Flask-SocketIO fall back to the
    Werkzeug development server.
    """
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a runtime dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"
