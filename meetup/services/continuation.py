"""Continuing an agreement of the previous meetup in the series ("Verder met een afspraak
van vorige keer").

At a table of a follow-up meetup, in the agreements phase, the phones list the previous
meetup's finalised agreements of the table's theme (themes are matched by key: the follow-up
copied them). Choosing one starts a new draft for the table, linked to the earlier agreement
(``continues_agreement_id``) and pre-filled with what, who, organisation, partners and how we
know it worked; the first step and the date are left for tonight, because the earlier ones
belong to the earlier plan. The earlier agreement then shows where it went on.

Only agreements of the *previous* meetup of the participant's own meetup, of their table's
theme, finalised and not deleted, can be continued, whatever id a phone sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, Meetup, Participant, Theme
from meetup.services import agreements
from meetup.services.board import parse_uuid
from meetup.services.errors import Conflict, Forbidden, NotFound

#: Fields a continued agreement takes over from the earlier one.
CARRIED_FIELDS = ("what", "owner_name", "owner_organisation", "partners", "success_measure")


def _table_theme_key(participant: Participant) -> str:
    table = participant.table
    if table is None:
        raise Conflict(_l("You do not have a table yet."))
    theme = table.theme
    if theme is None:
        raise Conflict(_l("Your table has no theme."))
    return theme.key


def _earlier_final(previous_meetup_id: int):
    return (select(Agreement).join(Theme, Agreement.theme_id == Theme.id)
            .where(Agreement.meetup_id == previous_meetup_id,
                   Agreement.deleted_at.is_(None),
                   Agreement.status != AgreementStatus.DRAFT))


def previous_agreements(session: Session, participant: Participant) -> list[Agreement]:
    """The previous meetup's finalised agreements of the participant's table's theme."""
    key = _table_theme_key(participant)
    previous_id = participant.meetup.previous_meetup_id
    if previous_id is None:
        return []
    return list(session.scalars(_earlier_final(previous_id).where(Theme.key == key)
                                .order_by(Agreement.finalised_at, Agreement.id)))


def _earlier(session: Session, participant: Participant, earlier_uuid: uuid.UUID) -> Agreement:
    previous_id = participant.meetup.previous_meetup_id
    earlier = None
    if previous_id is not None:
        earlier = session.scalar(_earlier_final(previous_id)
                                 .where(Agreement.uuid == earlier_uuid))
    if earlier is None:
        raise NotFound(_l("This agreement of last time does not exist."), field="from")
    if earlier.theme is None or earlier.theme.key != _table_theme_key(participant):
        raise Forbidden(_l("This agreement of last time belongs to another theme."),
                        field="from")
    return earlier


def continue_agreement(session: Session, participant: Participant,
                       agreement_uuid: uuid.UUID | str,
                       earlier_uuid: uuid.UUID | str) -> Agreement:
    """A new draft for the own table that continues ``earlier_uuid``; the same new UUID
    again returns that draft unchanged (with what people typed into it since)."""
    agreement_uuid = parse_uuid(agreement_uuid, "agreement")
    earlier = _earlier(session, participant, parse_uuid(earlier_uuid, "from"))
    existing = session.scalar(select(Agreement).where(Agreement.uuid == agreement_uuid))
    draft = agreements.create_draft(session, participant, agreement_uuid)
    if existing is not None:
        return draft
    for name in CARRIED_FIELDS:
        value = getattr(earlier, name)
        setattr(draft, name, list(value or []) if name == "partners" else value)
    draft.continues_agreement_id = earlier.id
    session.flush()
    return draft


def continued_in(session: Session, agreement_ids: Iterable[int]) -> dict[int, list[Agreement]]:
    """Per earlier agreement id, the finalised agreements of later meetups that continue it."""
    ids = list(agreement_ids)
    found: dict[int, list[Agreement]] = {agreement_id: [] for agreement_id in ids}
    if ids:
        for later in session.scalars(
            select(Agreement).where(Agreement.continues_agreement_id.in_(ids),
                                    Agreement.deleted_at.is_(None),
                                    Agreement.status != AgreementStatus.DRAFT)
            .order_by(Agreement.id)
        ):
            found[later.continues_agreement_id].append(later)  # type: ignore[index]
    return found


def later_meetups(session: Session, agreements_: Iterable[Agreement]) -> dict[int, Meetup]:
    """The meetups of these agreements, by id (to name where an agreement went on)."""
    ids = {a.meetup_id for a in agreements_}
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Meetup).where(Meetup.id.in_(ids)))}


def went_on(session: Session, agreement: Agreement) -> list[tuple[Agreement, Meetup]]:
    """Where this agreement went on: later final agreements continuing it, with their meetup."""
    later = continued_in(session, [agreement.id])[agreement.id]
    where = later_meetups(session, later)
    return [(a, where[a.meetup_id]) for a in later]


def went_on_by_id(session: Session, agreement_ids: Iterable[int]
                  ) -> dict[int, list[tuple[Agreement, Meetup]]]:
    """:func:`went_on` for many agreements at once (only those that went on are keys)."""
    later = continued_in(session, agreement_ids)
    where = later_meetups(session, [a for found in later.values() for a in found])
    return {earlier_id: [(a, where[a.meetup_id]) for a in found]
            for earlier_id, found in later.items() if found}
