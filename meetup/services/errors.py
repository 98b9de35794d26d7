"""Domain errors: raised by services, mapped to HTTP responses and socket errors in one place.

Every error has a machine-readable ``code`` (for the socket/API) and a human ``message``
(Dutch by default, through Flask-Babel). ``field`` names the form field it belongs to, if any.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base class. ``status`` is the HTTP status the web face answers with."""

    code = "error"
    status = 400
    default_message: Any = _l("Something went wrong.")

    def __init__(self, message: Any = None, *, field: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        self.params = params
        super().__init__(str(self.code))

    def as_dict(self) -> dict[str, Any]:
        """The socket/API form: ``{"error": code, "message": text, "field": name}``."""
        data: dict[str, Any] = {"error": self.code, "message": str(self.message)}
        if self.field:
            data["field"] = self.field
        return data


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _l("We could not find that.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = _l("You are not allowed to do that.")


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = _l("Please check what you entered.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("That is not possible right now.")


class WrongPhase(Conflict):
    code = "wrong_phase"
    default_message = _l("That is not possible in this part of the evening.")


class Full(Conflict):
    code = "full"
    default_message = _l("This theme is full. Please choose another one.")


class Unauthorised(DomainError):
    code = "unauthorised"
    status = 401
    default_message = _l("Join the meetup first.")


class NotReady(Conflict):
    """An agreement that lacks what it needs to be final; ``missing`` names the fields."""

    code = "not_ready"
    default_message = _l("This agreement is not complete yet.")

    def __init__(self, missing: list[str], message: Any = None) -> None:
        super().__init__(message)
        self.missing = missing

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["missing"] = self.missing
        return data


class Busy(DomainError):
    """More joins than the meetup expects, faster than it takes them (``services.admission``)."""

    code = "busy"
    status = 429
    default_message = _l("More people are joining than the organiser expected, so joining "
                         "goes a little slower now. Wait a minute and press the button again.")
