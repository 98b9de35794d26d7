"""Socket.IO room names: one place, so that handlers and tests spell them alike.

Rooms are per meetup (``meetup:<id>``, ``organiser:<id>``, ``projector:<id>``, all with the
meetup's id), per table (``table:<table id>``) and per participant (``participant:<id>``, every
tab and phone of one person).
"""

from __future__ import annotations


def meetup_room(meetup_id: int) -> str:
    """Everyone connected to the meetup: phones, organiser windows and the projector."""
    return f"meetup:{meetup_id}"


def table_room(table_id: int) -> str:
    """The phones seated at one table (by the table's database id, not its number)."""
    return f"table:{table_id}"


def participant_room(participant_id: int) -> str:
    """All sockets of one participant (a reload or second tab is the same person)."""
    return f"participant:{participant_id}"


def organiser_room(meetup_id: int) -> str:
    """The organiser's windows of this meetup."""
    return f"organiser:{meetup_id}"


def projector_room(meetup_id: int) -> str:
    """The projector window(s) of this meetup."""
    return f"projector:{meetup_id}"
