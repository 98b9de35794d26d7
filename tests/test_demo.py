"""The demo tells the whole story (``meetup demo`` / ``seed-demo``): an earlier, closed evening
with agreements and their follow-up, and tonight's meetup that follows on from it."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    Agreement,
    AgreementStatus,
    Meetup,
    Organiser,
    OutboxMail,
    Note,
    Participant,
    Phase,
)
from meetup.reports.data import gather_report
from meetup.reports.pdf import build_report_pdf
from meetup.services import (
    continuation,
    demo,
    followup,
    followup_board,
    groupings,
    joining,
    phases,
    retrospective,
    series,
    tables,
)
from meetup.services.errors import NotFound
from meetup.services.joining import JoinRequest
from tests.report_factories import pdf_text

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def seeded(app: Flask) -> demo.DemoSeed:
    result = demo.seed(db.session, now=NOW)
    assert result is not None
    db.session.commit()
    return result


def final_agreements(meetup: Meetup) -> list[Agreement]:
    return list(db.session.scalars(
        select(Agreement).where(Agreement.meetup_id == meetup.id,
                                Agreement.deleted_at.is_(None),
                                Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.id)))


def test_the_earlier_evening_is_closed_with_nine_owned_dated_agreements(
        seeded: demo.DemoSeed) -> None:
    earlier = seeded.earlier
    assert earlier.phase is Phase.CLOSED
    assert earlier.starts_at < NOW
    assert (NOW - earlier.starts_at).days in range(80, 100)  # about three months ago
    made = final_agreements(earlier)
    assert len(made) == 9
    assert Counter(a.theme.key for a in made) == {"taal": 3, "overgangen": 3, "zorg": 3}
    for agreement in made:
        assert agreement.owner_name and agreement.owner_organisation
        assert agreement.owner_id is not None  # someone at the table, picked as owner
        assert agreement.first_step and agreement.due_date is not None
        assert agreement.success_measure and agreement.partners
        assert agreement.commitments  # table mates signed on
    assert len(set(a.owner_organisation for a in made)) >= 7


def test_the_earlier_evening_is_dated_on_its_evening_in_the_exports(
        seeded: demo.DemoSeed) -> None:
    """The JSON export (and Decidim's "created") says when an agreement was made: on the
    earlier evening, not on the day the demo was seeded."""
    import json

    from meetup.reports import exports

    earlier = seeded.earlier
    body, _mimetype, _name = exports.build(gather_report(db.session, earlier), "json")
    made = json.loads(body)["agreements"]
    evening = earlier.starts_at.date()
    assert len(made) == 9
    assert {datetime.fromisoformat(a["finalised_at"]).date() for a in made} == {evening}
    notes = list(db.session.scalars(select(Note).where(Note.meetup_id == earlier.id)))
    assert {n.created_at.date() for n in notes} == {evening}
    people = db.session.scalars(select(Participant).where(Participant.meetup_id == earlier.id))
    assert {p.joined_at.date() for p in people} == {evening}


def test_the_earlier_evening_had_mixed_tables_notes_dots_and_confirmed_groups(
        seeded: demo.DemoSeed) -> None:
    earlier = seeded.earlier
    people = list(db.session.scalars(select(Participant)
                                     .where(Participant.meetup_id == earlier.id)))
    assert len(people) == 24
    assert len({p.role for p in people}) >= 8
    assert all(p.table_id is not None for p in people)
    assert all(p.email is None or p.email.endswith("@example.org") for p in people)
    for table in earlier.tables:
        members = [p for p in people if p.table_id == table.id]
        assert len({p.role for p in members}) >= 3  # mixed professions at every table
    views = groupings.views(db.session, earlier, confirmed_only=True)
    assert [v.theme_title for v in views] == [t.title for t in earlier.themes]
    for view in views:
        assert view.confirmed and len(view.groups) >= 3 and not view.ungrouped
        assert sum(group.dots for group in view.groups) > 0
    report = gather_report(db.session, earlier)
    assert {n.round for n in report.notes} == {"happens", "connect", "missing"}


def test_the_follow_up_board_shows_every_status(seeded: demo.DemoSeed) -> None:
    rows = followup_board.rows(db.session, seeded.earlier, TODAY)
    by_status = Counter(row.status for row in rows)
    assert by_status == {"done": 2, "in_progress": 3, "planned": 3, "stopped": 1}
    assert sum(1 for row in rows if row.last_update_at is None) == 2  # no news yet
    assert any(row.overdue for row in rows)  # a date passed without a word
    stuck = next(row for row in rows if row.status == "stopped")
    assert "Vastgelopen" in stuck.last_update_note
    assert all(row.last_update_at < NOW for row in rows if row.last_update_at)
    summary = followup.summary(db.session, seeded.earlier, TODAY)
    assert summary.total == 9 and summary.without_update == 2
    assert len(followup_board.rows(db.session, seeded.earlier, TODAY, "done")) == 2


def test_no_mail_is_queued_for_the_fictional_people(seeded: demo.DemoSeed) -> None:
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0
    assert all(not row.mails_on for row in followup_board.rows(db.session, seeded.earlier,
                                                               TODAY))


def test_tonight_follows_on_from_the_earlier_evening_in_one_series(
        seeded: demo.DemoSeed) -> None:
    earlier, tonight = seeded.earlier, seeded.tonight
    assert tonight.title == "Meetup Hilversum"
    assert tonight.previous_meetup_id == earlier.id
    assert tonight.series_id is not None and tonight.series_id == earlier.series_id
    assert series.meetups_in(db.session, tonight.series) == [earlier, tonight]
    assert tonight.starts_at > NOW and tonight.phase is not Phase.CLOSED
    assert retrospective.offered(tonight)
    assert len(retrospective.sequence(db.session, tonight)) == 9


def test_a_participant_tonight_sees_the_earlier_agreements_of_their_theme(
        seeded: demo.DemoSeed) -> None:
    tonight = seeded.tonight
    organiser = tonight.organiser
    person, _ = joining.join(db.session, tonight,
                             JoinRequest("Eva Gast", "leerkracht_po", "OBS Het Anker"))
    joining.choose_theme(db.session, person, "zorg")
    tables.form_tables(db.session, tonight, organiser)
    phases.set_phase(db.session, tonight, Phase.AGREEMENTS, organiser)
    earlier_zorg = [a for a in final_agreements(seeded.earlier) if a.theme.key == "zorg"]
    shown = continuation.previous_agreements(db.session, person)
    assert [a.id for a in shown] == [a.id for a in earlier_zorg]
    assert any("wijkteam" in a.what for a in shown)
    draft = continuation.continue_agreement(db.session, person, uuid.uuid4(), shown[0].uuid)
    assert draft.what == shown[0].what and draft.continues_agreement_id == shown[0].id


def test_the_earlier_report_pdf_holds_the_agreements(seeded: demo.DemoSeed) -> None:
    text = pdf_text(build_report_pdf(gather_report(db.session, seeded.earlier)))
    assert "Meetup Hilversum (voorjaar)" in text
    assert "Taalcafé voor ouders" in text
    assert "Wim Brouwer" in text


def test_seeding_twice_adds_nothing(seeded: demo.DemoSeed) -> None:
    def counts() -> tuple[int, ...]:
        return tuple(db.session.scalar(select(func.count(model.id))) or 0
                     for model in (Meetup, Organiser, Participant, Agreement))

    before = counts()
    assert before == (2, 1, 24, 9)
    assert demo.seed(db.session, now=NOW) is None
    assert counts() == before


def test_seed_demo_command_logs_in_and_lists_what_the_earlier_evening_left(
        app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    email, password = re.search(r"Demo organiser: (\S+)\s+password \(shown once\): (\S+)",
                                result.output).groups()
    response = client.post("/organiser/login", data={"email": email, "password": password})
    assert response.status_code == 302
    home = client.get("/organiser/").get_data(as_text=True)
    assert "Meetup Hilversum (voorjaar)" in home and "Meetup Hilversum" in home
    earlier = db.session.scalar(select(Meetup).where(Meetup.phase == Phase.CLOSED))
    board = client.get(f"/organiser/meetups/{earlier.id}/board").get_data(as_text=True)
    assert "Proefweek in de brugklas" in board
    urls = app.test_cli_runner().invoke(args=["urls"]).output
    assert f"/organiser/meetups/{earlier.id}/report" in urls
    assert f"/organiser/meetups/{earlier.id}/board" in urls
    assert f"/j/{earlier.join_token}" not in urls  # a closed evening is not joined any more


def test_groups_by_hand_refuse_notes_of_another_theme(seeded: demo.DemoSeed) -> None:
    earlier = seeded.earlier
    taal = earlier.theme_by_key("taal")
    zorg_note = groupings.views(db.session, earlier)[2].groups[0].notes[0]
    with pytest.raises(NotFound) as refused:
        groupings.arrange(db.session, earlier, taal.id, [("Mix", [zorg_note.id])])
    assert str(refused.value.message) == "Die notitie staat niet op het bord van dit thema."
    assert groupings.views(db.session, earlier)[0].confirmed  # nothing changed


def test_a_venue_laptop_gets_tonight_only_without_a_fictional_earlier_evening(
        app: Flask) -> None:
    """``meetup venue`` runs a real evening: its meetup must not follow on from, nor show the
    Terugblik of, the demo's made-up evening."""
    seeded = demo.seed(db.session, now=NOW, history=False)
    assert seeded is not None and seeded.earlier is None
    db.session.commit()
    assert [m.title for m in db.session.scalars(select(Meetup))] == ["Meetup Hilversum"]
    assert seeded.tonight.previous_meetup_id is None
    assert db.session.scalar(select(func.count(Participant.id))) == 0
