"""The real-time face: Socket.IO handlers, room names and emit-after-commit."""

from __future__ import annotations

from flask import Flask

from meetup.extensions import socketio


def register_realtime(app: Flask) -> None:
    origins = app.config.get("SOCKETIO_ALLOWED_ORIGINS")
    if origins is None and app.config.get("PUBLIC_URL"):
        origins = [app.config["PUBLIC_URL"]]
    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        # None: only the application's own origin (the Host of the request) is accepted.
        cors_allowed_origins=origins,
        manage_session=False,
    )
