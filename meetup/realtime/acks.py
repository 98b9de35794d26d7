"""What a socket event answers when it fails: a domain error's code and (Dutch) message, or
``server_error`` for anything unexpected (logged by the caller). Shared by the connection
events (:mod:`connection`) and the write events (:mod:`handlers`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from meetup.services.errors import DomainError

SERVER_ERROR = _l("Something went wrong on our side. Please try again.")


def error_ack(error: DomainError) -> dict[str, Any]:
    return {"ok": False, **error.as_dict()}


def server_error_ack() -> dict[str, Any]:
    return {"ok": False, "error": "server_error", "message": str(SERVER_ERROR)}
