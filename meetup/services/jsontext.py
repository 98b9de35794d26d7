"""JSON encoded once and reused: the parts of a phone's snapshot that many phones share.

When a room of phones connects, the six phones at a table receive the same members, notes and
agreements. Encoding those to JSON once per table and revision (instead of once per phone),
and joining the encoded parts with each phone's own few fields, is what :class:`JSONText` is
for: a ``str`` that already *is* JSON. :func:`obj` and :func:`array` build bigger JSON from
parts; :func:`plain` turns the result back into Python values (for tests and non-socket use).
The real-time face sends a :class:`JSONText` as it is (see ``meetup/realtime/wire.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

_encoder = json.JSONEncoder(separators=(",", ":"))


class JSONText(str):
    """Text that is valid JSON, to be embedded as is (never quoted again)."""

    __slots__ = ()


def dumps(value: Any) -> JSONText:
    """``value`` as compact JSON (the separators Socket.IO uses)."""
    return JSONText(_encoder.encode(value))


def _part(value: Any) -> str:
    return value if isinstance(value, JSONText) else _encoder.encode(value)


def obj(fields: Mapping[str, Any]) -> JSONText:
    """A JSON object of ``fields``; values may be :class:`JSONText` (used as they are)."""
    return JSONText("{" + ",".join(_encoder.encode(key) + ":" + _part(value)
                                   for key, value in fields.items()) + "}")


def array(items: Iterable[Any]) -> JSONText:
    """A JSON array of ``items``; items may be :class:`JSONText` (used as they are)."""
    return JSONText("[" + ",".join(_part(item) for item in items) + "]")


def plain(value: Any) -> Any:
    """``value`` with every :class:`JSONText` in it decoded (dicts and lists are copied)."""
    if isinstance(value, JSONText):
        return json.loads(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
