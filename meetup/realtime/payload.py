"""Reading client payloads: types and shapes only, before any transaction starts.

Domain rules (lengths of a note, who may edit what, the phase) belong to the services; this
module only makes sure that what arrives has the shape the protocol promises, so that a
malformed or hostile message ends as ``{ok: false, error: "invalid"}`` instead of an
exception deep in a service.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from meetup.services.errors import InvalidInput

#: Hard cap on any text in a payload; services apply the real limits with a clear message.
MAX_TEXT = 5000
#: Hard cap on list lengths (e.g. partners of an agreement).
MAX_LIST = 50

MALFORMED = _l("The app sent something we could not read. Reload the page and try again.")


def _has_nul(value: Any, depth: int = 0) -> bool:
    """True when a string anywhere in the (small) payload holds a NUL byte."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 8:
        return True  # nothing we read nests this deep
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


class Payload:
    """A client's event payload with typed accessors that raise :class:`InvalidInput`."""

    def __init__(self, data: Any) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict) or _has_nul(data):
            # NUL bytes: SQLite would store them, PostgreSQL refuses; refused on both.
            raise InvalidInput(MALFORMED)
        self.data: dict[str, Any] = data

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise InvalidInput(MALFORMED, field=key)
        return self.data[key]

    def uuid(self, key: str) -> uuid.UUID:
        value = self._get(key)
        if not isinstance(value, str) or len(value) > 64:
            raise InvalidInput(MALFORMED, field=key)
        try:
            return uuid.UUID(value)
        except ValueError:
            raise InvalidInput(MALFORMED, field=key) from None

    def op(self) -> uuid.UUID:
        """The client-generated id of this write, for idempotency."""
        return self.uuid("op")

    def text(self, key: str, max_length: int = MAX_TEXT) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise InvalidInput(MALFORMED, field=key)
        if len(value) > max_length:
            raise InvalidInput(_l("This text is too long."), field=key)
        return value

    def choice(self, key: str, options: Iterable[str]) -> str:
        value = self._get(key)
        if not isinstance(value, str) or value not in set(options):
            raise InvalidInput(MALFORMED, field=key)
        return value

    def key(self, key: str, max_length: int = 40) -> str:
        """A short identifier such as a theme key."""
        value = self._get(key)
        if not isinstance(value, str) or not value or len(value) > max_length:
            raise InvalidInput(MALFORMED, field=key)
        return value

    def integer(self, key: str, minimum: int, maximum: int, *,
                nullable: bool = False) -> int | None:
        value = self._get(key)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(MALFORMED, field=key)
        if not minimum <= value <= maximum:
            raise InvalidInput(_l("This number is out of range."), field=key)
        return value

    def agreement_fields(self, key: str = "fields") -> dict[str, Any]:
        """The agreement fields to change, type-checked (values are cleaned by the service)."""
        value = self._get(key)
        if not isinstance(value, dict) or not value:
            raise InvalidInput(MALFORMED, field=key)
        for name, item in value.items():
            if name in TEXT_FIELDS or name == "due_date":
                if item is not None and not isinstance(item, str):
                    raise InvalidInput(MALFORMED, field=name)
                if isinstance(item, str) and len(item) > MAX_TEXT:
                    raise InvalidInput(_l("This text is too long."), field=name)
            elif name == "owner":
                if item is not None and (not isinstance(item, int) or isinstance(item, bool)):
                    raise InvalidInput(MALFORMED, field=name)
            elif name == "partners":
                if not isinstance(item, list) or len(item) > MAX_LIST or not all(
                        isinstance(p, str) and len(p) <= MAX_TEXT for p in item):
                    raise InvalidInput(MALFORMED, field=name)
            else:
                raise InvalidInput(MALFORMED, field=name)
        return dict(value)


#: Agreement fields that are plain text.
TEXT_FIELDS = ("what", "owner_name", "owner_organisation", "first_step", "success_measure")
