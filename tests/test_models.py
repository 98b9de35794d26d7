"""The data model: SQLite settings, timezone-aware datetimes, cascades and uniqueness."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from meetup.extensions import db
from meetup.models import (
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    AuditEntry,
    Commitment,
    Grouping,
    Meetup,
    Note,
    NoteGroup,
    NoteGroupMember,
    Participant,
    Phase,
    Round,
    Table,
    Vote,
)
from meetup.services import operations, phases


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_full_sync(app) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_datetimes_come_back_timezone_aware_in_utc(meetup: Meetup) -> None:
    amsterdam = timezone(timedelta(hours=1))
    meetup.starts_at = datetime(2026, 12, 3, 19, 30, tzinfo=amsterdam)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Meetup, meetup.id)
    assert loaded.starts_at == datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    assert loaded.starts_at.tzinfo is UTC
    assert loaded.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(meetup: Meetup) -> None:
    meetup.starts_at = datetime(2026, 12, 3, 19, 30)
    with pytest.raises(StatementError):
        db.session.commit()
    db.session.rollback()


def test_a_new_meetup_starts_in_registration_with_three_themes(meetup: Meetup) -> None:
    assert meetup.phase is Phase.REGISTRATION
    assert [t.key for t in meetup.themes] == ["taal", "overgangen", "zorg"]
    assert "Meetup Hilversum" in repr(meetup)


def _seat(meetup: Meetup) -> tuple[Table, Participant]:
    theme = meetup.themes[0]
    table = Table(meetup=meetup, theme=theme, number=1)
    person = Participant(meetup=meetup, display_name="Zoë de Vries", role="leerkracht_po",
                         organisation="OBS De Regenboog", token_hash="a" * 64, theme=theme,
                         table=table)
    db.session.add_all([table, person])
    db.session.flush()
    return table, person


def test_deleting_a_meetup_removes_everything_it_holds(meetup: Meetup) -> None:
    table, person = _seat(meetup)
    note = Note(uuid=uuid.uuid4(), meetup_id=meetup.id, table=table, author=person,
                round=Round.HAPPENS, text="Voorlezen in de bieb")
    agreement = Agreement(uuid=uuid.uuid4(), meetup_id=meetup.id, table=table,
                          theme=table.theme, followup_token="f" * 40)
    db.session.add_all([note, agreement])
    db.session.flush()
    db.session.add_all([
        Vote(uuid=uuid.uuid4(), note=note, participant_id=person.id),
        Commitment(agreement=agreement, participant=person),
    ])
    db.session.commit()

    operations.record(db.session, meetup.id, person.id, "note.create", uuid.uuid4())
    phases.set_phase(db.session, meetup, Phase.ROUND_1, meetup.organiser)
    db.session.add(AgreementUpdate(agreement=agreement, status=AgreementStatus.IN_PROGRESS,
                                   note="Bezig", source="owner"))
    db.session.add(AuditEntry(meetup_id=meetup.id, action="tables.form", details={}))
    grouping = Grouping(meetup_id=meetup.id, theme_id=table.theme_id, round=Round.HAPPENS,
                        similarity=0.5)
    group = NoteGroup(grouping=grouping, position=0, title="Voorlezen")
    db.session.add_all([grouping, group])
    db.session.flush()
    db.session.add(NoteGroupMember(grouping_id=grouping.id, group=group, note_id=note.id))
    # Follow-up mail (issue 23): a consent, a queued mail, an unsubscribe.
    from datetime import UTC, datetime

    from meetup.models import MailKind, OutboxMail, ReminderConsent, Unsubscribe
    consent = ReminderConsent(meetup_id=meetup.id, participant_id=person.id,
                              agreement_id=agreement.id, email="a@example.org")
    db.session.add(consent)
    db.session.flush()
    db.session.add_all([
        OutboxMail(meetup_id=meetup.id, agreement_id=agreement.id, consent_id=consent.id,
                   kind=MailKind.REMINDER_DAY, recipient="a@example.org", dedup_key="k",
                   data={}, due_at=datetime.now(UTC), attempts=0, last_error="",
                   cancel_reason=""),
        Unsubscribe(meetup_id=meetup.id, address_hash="0" * 64)])
    db.session.commit()
    # The mail scheduler's heartbeat belongs to no meetup; a series belongs to the organisation
    # (it outlives any one of its meetups), like the account, its organisation, memberships
    # and invitations (issue 25).
    outlive = ("organisers", "scheduler_heartbeats", "series", "organisations", "memberships",
               "invitations")
    held = [t.name for t in db.metadata.sorted_tables if t.name not in outlive]
    # A model added later without a row here would make the check below trivially true for
    # it: give it a row above.
    assert all(_rows(name) for name in held), {name: _rows(name) for name in held}

    db.session.delete(meetup)
    db.session.commit()
    # Every table but the organisers' is empty again: themes, phase log, operations,
    # follow-up updates and the audit trail included.
    assert {name: _rows(name) for name in held} == {name: 0 for name in held}
    assert _rows("organisers") == 1
    assert _rows("organisations") == 1 and _rows("memberships") == 1


def _rows(table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_note_uuid_is_stored_once(meetup: Meetup) -> None:
    table, person = _seat(meetup)
    same = uuid.uuid4()
    db.session.add(Note(uuid=same, meetup_id=meetup.id, table=table, author=person,
                        round=Round.HAPPENS, text="een"))
    db.session.commit()
    db.session.add(Note(uuid=same, meetup_id=meetup.id, table=table, author=person,
                        round=Round.HAPPENS, text="twee"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_person_signs_on_to_an_agreement_once(meetup: Meetup) -> None:
    table, person = _seat(meetup)
    agreement = Agreement(uuid=uuid.uuid4(), meetup_id=meetup.id, table=table,
                          followup_token="g" * 40)
    db.session.add(agreement)
    db.session.flush()
    db.session.add(Commitment(agreement=agreement, participant=person))
    db.session.commit()
    db.session.add(Commitment(agreement=agreement, participant=person))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
