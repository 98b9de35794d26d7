"""How packets are written to the wire: Socket.IO's own format, plus JSON encoded beforehand.

A phone's snapshot is assembled from parts that were encoded to JSON once for many phones
(:class:`meetup.services.jsontext.JSONText`). python-socketio would quote such a string
again, and before that walk the whole payload looking for binary data; :class:`Packet` (the
server's packet class) sends an event's or acknowledgement's :class:`JSONText` arguments as
they are. Everything else is encoded exactly as before. Clients see no difference.
"""

from __future__ import annotations

import json
from typing import Any

from socketio import packet

from meetup.services.jsontext import JSONText


class _WireJSON:
    """The ``json`` module of :class:`Packet`: top-level :class:`JSONText` items stay as they are."""

    @staticmethod
    def dumps(data: Any, **kwargs: Any) -> str:
        if isinstance(data, list) and any(isinstance(item, JSONText) for item in data):
            return "[" + ",".join(item if isinstance(item, JSONText) else json.dumps(item, **kwargs)
                                  for item in data) + "]"
        return json.dumps(data, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        return json.loads(text, **kwargs)


class Packet(packet.Packet):
    """Socket.IO packets whose event arguments may be JSON already (see the module docstring)."""

    json = _WireJSON
