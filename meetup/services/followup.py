"""Follow-up of agreements after the evening.

Every finalised agreement has a private link (``Agreement.followup_token``) for its owner, who
reports its status (gepland, bezig, gerealiseerd, gestopt) with a short note. Every report is
kept as an :class:`~meetup.models.AgreementUpdate`, so the organiser and the municipality see
the history, not only the latest word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, AgreementUpdate, Meetup
from meetup.services.errors import Conflict, InvalidInput, NotFound

#: The statuses an owner can choose, in the order the form shows them.
FOLLOWUP_STATUSES = (AgreementStatus.PLANNED, AgreementStatus.IN_PROGRESS,
                     AgreementStatus.DONE, AgreementStatus.STOPPED)
NOTE_MAX = 500
TOKEN_MAX = 64
SOURCES = ("owner", "organiser", "retrospective")


def agreement_for_token(session: Session, token: str | None) -> Agreement:
    """The finalised agreement behind a private follow-up link; NotFound otherwise."""
    agreement = None
    if token and len(token) <= TOKEN_MAX:
        agreement = session.scalar(select(Agreement).where(Agreement.followup_token == token))
    if agreement is None or agreement.deleted_at is not None \
            or agreement.status is AgreementStatus.DRAFT:
        raise NotFound(_l("This follow-up link does not work. Check the link, or ask the "
                          "organiser for it."))
    return agreement


def record_update(session: Session, agreement: Agreement, status: str, note: str = "", *,
                  source: str = "owner", first_word: bool = False) -> AgreementUpdate:
    """Set the agreement's status and keep the report in its history.

    ``first_word``: the owner reports for the first time, so the unchanged status is news too
    (the Terugblik: "still planned" answers "geen bericht")."""
    if agreement.deleted_at is not None or agreement.status is AgreementStatus.DRAFT:
        raise Conflict(_l("Only finalised agreements can be followed up."))
    try:
        new_status = AgreementStatus(status)
    except ValueError:
        new_status = None
    if new_status not in FOLLOWUP_STATUSES:
        raise InvalidInput(_l("Choose one of the statuses."), field="status")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_l("Keep the note to at most %(n)s characters.", n=NOTE_MAX),
                           field="note")
    if new_status is agreement.status and not note and not first_word:
        raise InvalidInput(_l("The status is unchanged: choose another status or add a note."),
                           field="note")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    update = AgreementUpdate(agreement=agreement, status=new_status, note=note, source=source)
    agreement.status = new_status
    session.add(update)
    session.flush()
    return update


@dataclass(frozen=True)
class FollowupSummary:
    """The organiser's overview in numbers."""

    #: ``(status, count)`` for every follow-up status, in form order.
    counts: tuple[tuple[str, int], ...]
    total: int
    #: Due date passed while still planned or in progress.
    overdue: int
    #: Agreements whose owner has not reported yet.
    without_update: int


def summary(session: Session, meetup: Meetup, today: date) -> FollowupSummary:
    base = (Agreement.meetup_id == meetup.id, Agreement.deleted_at.is_(None),
            Agreement.status != AgreementStatus.DRAFT)
    by_status = dict(session.execute(
        select(Agreement.status, func.count(Agreement.id)).where(*base)
        .group_by(Agreement.status)).all())
    overdue = session.scalar(select(func.count(Agreement.id)).where(
        *base, Agreement.due_date < today,
        Agreement.status.in_([AgreementStatus.PLANNED, AgreementStatus.IN_PROGRESS]))) or 0
    updated = select(AgreementUpdate.agreement_id)
    without = session.scalar(select(func.count(Agreement.id)).where(
        *base, Agreement.id.not_in(updated))) or 0
    counts = tuple((str(s), by_status.get(s, 0)) for s in FOLLOWUP_STATUSES)
    return FollowupSummary(counts=counts, total=sum(c for _, c in counts), overdue=overdue,
                           without_update=without)
