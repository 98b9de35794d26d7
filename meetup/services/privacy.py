"""Personal data that leaves on time (AVG/GDPR), and a participant's own choices.

What is personal here: participants' names, e-mail addresses and organisations, and the owner
names typed into agreements. What the municipality needs stays: agreements, notes, counts.

- Every meetup has a retention date: ``retention_until`` when the organiser set one, else
  :data:`RETENTION` after the meetup (its start, or its creation when it has no date).
- :func:`anonymise_due` anonymises every meetup past that date (``meetup anonymise``, and the
  server runs it daily).
- A participant can withdraw their e-mail consent and remove their name themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetup.models import Agreement, Meetup, Participant
from meetup.models.agreement import name_key
from meetup.models.types import utcnow
from meetup.services import mail_consent, operations

#: How long personal data is kept after the meetup, unless the organiser chose a date.
RETENTION = timedelta(days=365)
#: What a removed name becomes (the notes and agreements stay, without the person).
ANONYMOUS = _l("Anonymous")


def retention_date(meetup: Meetup) -> datetime:
    """When this meetup's personal data is anonymised."""
    if meetup.retention_until is not None:
        return meetup.retention_until
    return (meetup.starts_at or meetup.created_at or utcnow()) + RETENTION


def due(session: Session, now: datetime | None = None) -> list[Meetup]:
    """Meetups past their retention date that still hold personal data."""
    now = now or utcnow()
    candidates = session.scalars(select(Meetup).where(Meetup.anonymised_at.is_(None)))
    return [m for m in candidates if retention_date(m) <= now]


def anonymise_meetup(session: Session, meetup: Meetup, now: datetime | None = None) -> int:
    """Replace names, e-mail addresses and organisations; returns the number of people.

    Participants become "Deelnemer 1", "Deelnemer 2", ... (by joining order), so the notes
    and agreements still read as written by different people. Agreement owner names are
    cleared; the owner *organisation* of an agreement stays (it is the institution that
    committed, part of the agreement itself).
    """
    people = list(session.scalars(select(Participant).where(Participant.meetup_id == meetup.id)
                                  .order_by(Participant.id)))
    for number, person in enumerate(people, start=1):
        person.display_name = f"Deelnemer {number}"
        person.organisation = ""
        person.email = None
        person.email_consent = False
    session.execute(update(Agreement).where(Agreement.meetup_id == meetup.id)
                    .values(owner_name=""))
    meetup.anonymised_at = now or utcnow()
    # Every scheduled follow-up mail ends and every address in the outbox goes (issue 23).
    mail_consent.end_for_meetup(session, meetup.id, meetup.anonymised_at)
    session.flush()
    return len(people)


def anonymise_due(session: Session, now: datetime | None = None) -> list[Meetup]:
    """Anonymise every meetup past its retention date; returns them (caller commits)."""
    done = due(session, now)
    for meetup in done:
        anonymise_meetup(session, meetup, now)
    return done


def withdraw_consent(session: Session, participant: Participant) -> None:
    """No longer in the report's contact list; the e-mail address is deleted."""
    participant.email_consent = False
    participant.email = None
    session.flush()


def remove_name(session: Session, participant: Participant) -> None:
    """The participant's name leaves the meetup: on their notes, at the table, in owner names.

    The role stays (the report counts roles); so do the notes and agreements themselves.
    """
    old = name_key(participant.display_name)
    if old:
        for agreement in session.scalars(select(Agreement).where(
                Agreement.meetup_id == participant.meetup_id)):
            if name_key(agreement.owner_name) == old:
                agreement.owner_name = ""
    participant.display_name = str(ANONYMOUS)
    participant.organisation = ""
    participant.email = None
    participant.email_consent = False
    session.flush()
    operations.bump(session, participant.meetup)
