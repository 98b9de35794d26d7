"""A phone's snapshot (docs/realtime.md), built for a room of 1,000 phones connecting at once.

Most of what a phone receives is the same for many phones: the meetup's themes and counts, the
table's members, notes and agreements, the dots in use, the role list. Those parts are read
once per meetup revision (per table for the table's part) and kept as JSON in a
:class:`~meetup.services.table_view.TableViews` cache; a phone's snapshot is those parts
joined with its own few fields (``me``, ``mine`` and own dots, dots left, own follow-up
links). :func:`participant_snapshot_text` returns the snapshot as JSON (what the socket
sends); :func:`participant_snapshot` the same as Python values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, Commitment, Meetup, Participant, Phase
from meetup.services import agreements as agreements_service
from meetup.services import board, content, jsontext, mail_consent, plenary, snapshot_parts
from meetup.services.jsontext import JSONText
from meetup.services.table_view import TableViews, for_viewer, table_view, table_views

#: The role list and partner kinds as JSON, per language (they come from the defaults file).
_STATIC: dict[str, tuple[JSONText, JSONText]] = {}


def _static(locale: str) -> tuple[JSONText, JSONText]:
    parts = _STATIC.get(locale)
    if parts is None:
        parts = _STATIC[locale] = (
            jsontext.dumps([{"key": r["key"], "label": r.get(locale) or r["nl"]}
                            for r in content.roles()]),
            jsontext.dumps(content.partners()))
    return parts


def participant_parts(
    session: Session, participant: Participant, now: datetime | None = None,
    views: TableViews | None = None,
) -> dict[str, Any]:
    """The snapshot's fields; the shared ones as :class:`JSONText` from ``views``.

    With ``views`` the shared parts are read once per table (or meetup) and revision (see
    :mod:`meetup.services.table_view`); without, they are read now.
    """
    meetup = participant.meetup
    locale = snapshot_parts.current_locale()
    if views is None:
        views = TableViews(size=0)  # builds every part now, keeps nothing
    themes = views.get(("themes", meetup.id, meetup.revision, locale, views.tick()),
                       lambda: {"state": jsontext.dumps(
                                    snapshot_parts.themes_state(session, meetup)),
                                "keys": {t.id: t.key for t in meetup.themes}})
    data = snapshot_parts.common(session, meetup, "participant", now, themes["state"])
    data.update(table=None, notes=[], agreements=[], followups=[])
    table_number = None
    if participant.table_id is not None:
        view = views.get_table(
            ("table", meetup.id, participant.table_id, meetup.revision, locale),
            ("tables", meetup.id, meetup.revision, locale),
            lambda: table_view(session, participant.table, locale, snapshot_parts.serialise_note,
                               snapshot_parts.serialise_agreements, snapshot_parts.followup_entry),
            lambda: {("table", meetup.id, table_id, meetup.revision, locale): built
                     for table_id, built in table_views(
                         session, meetup.id, locale, snapshot_parts.serialise_note,
                         snapshot_parts.followup_entry, views.note_heads).items()})
        data.update(for_viewer(view, participant))
        table_number = view["number"]
    data["me"] = {
        "id": participant.id, "display_name": participant.display_name,
        "first_name": participant.first_name, "role": participant.role,
        "role_label": content.role_label(participant.role, locale),
        "organisation": participant.organisation,
        # Offered in the reminder consent on this person's own phone only.
        "email": participant.email or "",
        "theme": themes["keys"].get(participant.theme_id),
        "table": table_number,
    }
    used = views.get(("dots", meetup.id, meetup.revision),
                     lambda: board.votes_used(session, meetup))
    data["votes_left"] = max(0, meetup.votes_per_person - used.get(participant.id, 0))
    signed = views.get(("commitments", meetup.id, meetup.revision),
                       lambda: _commitments(session, meetup))
    data["commitments"] = signed.get(participant.id, [])
    # The closing screen's "waar je aan meedoet": signed on to (any table, e.g. in the
    # plenary) or led by this person (an owner takes part). Read only for someone who
    # signed on or owns a final agreement of their table (the shared parts above say so).
    data["taking_part"] = snapshot_parts.serialise_agreements(
        session, agreements_service.taking_part(session, participant)) \
        if data["commitments"] or data["followups"] else []
    data["reminders"] = mail_consent.of_participant(session, participant)
    data["roles"], data["partners"] = _static(locale)
    data["plenary"] = views.get(
        ("plenary", meetup.id, meetup.revision, locale),
        lambda: jsontext.dumps(plenary.state(session, meetup))) \
        if meetup.phase is Phase.PLENARY else None
    return data


def participant_snapshot_text(
    session: Session, participant: Participant, now: datetime | None = None,
    views: TableViews | None = None,
) -> JSONText:
    """Everything a phone shows, as the JSON the socket sends."""
    return jsontext.obj(participant_parts(session, participant, now, views))


def participant_snapshot(
    session: Session, participant: Participant, now: datetime | None = None,
    views: TableViews | None = None,
) -> dict[str, Any]:
    """Everything a phone shows: the meetup, its own table, its notes and agreements."""
    return jsontext.plain(participant_parts(session, participant, now, views))


def _commitments(session: Session, meetup: Meetup) -> dict[int, list[str]]:
    """The agreements each participant signed on to (uuids, in signing order)."""
    signed: dict[int, list[str]] = {}
    for participant_id, agreement in session.execute(
        select(Commitment.participant_id, Agreement.uuid)
        .join(Agreement, Commitment.agreement_id == Agreement.id)
        .where(Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None))
        .order_by(Commitment.id)
    ):
        signed.setdefault(participant_id, []).append(str(agreement))
    return signed
