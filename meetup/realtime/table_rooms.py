"""Moving a person's sockets between table rooms, on every worker.

Used when a socket connects or syncs (:mod:`connection`) and after a write that seats someone
at another table (theme choice, the organiser moving a person), once that write is committed.
"""

from __future__ import annotations

from meetup.extensions import socketio
from meetup.realtime import auth, cluster, rooms
from meetup.realtime.auth import Identity


def seat(sid: str, identity: Identity, table_id: int | None) -> None:
    """Move a socket into the room of ``table_id`` (leaving its previous table room)."""
    if identity.table_id == table_id:
        return
    if identity.table_id is not None:
        socketio.server.leave_room(sid, rooms.table_room(identity.table_id), namespace="/")
    if table_id is not None:
        socketio.server.enter_room(sid, rooms.table_room(table_id), namespace="/")
    identity.table_id = table_id


def reseat_participant(participant_id: int, table_id: int | None) -> None:
    """Move every socket of a participant, on every worker, to its new table room.

    With a message queue the move travels over it (see :mod:`cluster`), so a phone on another
    worker stops hearing the old table at once, not only after it answers ``resync``.
    """
    cluster.to_workers("reseat", {"participant": participant_id, "table": table_id})


def reseat_here(participant_id: int, table_id: int | None) -> None:
    """:func:`reseat_participant` for the sockets connected to this process."""
    room = rooms.participant_room(participant_id)
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", room)):
        identity = auth.identity_of(sid)
        if identity is not None:
            seat(sid, identity, table_id)


cluster.on_worker_message("reseat", lambda data: reseat_here(data["participant"], data["table"]))
