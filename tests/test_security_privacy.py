"""Personal data leaves on time, and people decide about their own (issue 14, point 9; AVG).

What a reviewer should see stopped: names, e-mail addresses and organisations kept forever;
a participant unable to take their consent back or their name off; the shared report showing
e-mail addresses the organiser never chose to share; no page that says what is stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from meetup.cli import housekeeping_once
from meetup.extensions import db
from meetup.models import Agreement, Meetup, Note, Participant, Phase
from meetup.services import agreements, board, privacy, sharing
from tests.realtime_helpers import choose, form_tables, set_phase


def join_with_email(app: Flask, meetup: Meetup, name: str, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post(f"/j/{meetup.join_token}", data={
        "display_name": name, "role": "leerkracht_po", "organisation": "OBS De Regenboog",
        "email": email, "email_consent": "y"})
    assert response.status_code == 302
    return client


def evening_with_data(app: Flask, meetup: Meetup) -> Participant:
    join_with_email(app, meetup, "Anna de Vries", "anna@example.org")
    anna = Participant.query.filter_by(display_name="Anna de Vries").one()
    choose(anna, "taal")
    form_tables(meetup)
    set_phase(meetup, Phase.ROUND_1)
    board.create_note(db.session, anna, uuid.uuid4(), "happens", "Voorlezen in groep 1")
    db.session.commit()
    set_phase(meetup, Phase.AGREEMENTS)
    made = agreements.create_draft(db.session, anna, uuid.uuid4())
    agreements.update_agreement(db.session, anna, made.uuid, {
        "what": "Voorleesouders", "owner_name": "Anna de Vries",
        "owner_organisation": "OBS De Regenboog"})
    db.session.commit()
    return anna


def test_the_retention_date_is_twelve_months_after_the_meetup(meetup: Meetup) -> None:
    assert privacy.retention_date(meetup) == meetup.starts_at + timedelta(days=365)


def test_anonymise_removes_names_emails_and_organisations_but_keeps_the_work(
        app: Flask, meetup: Meetup) -> None:
    anna = evening_with_data(app, meetup)
    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert "No meetup is past its retention date" in result.output
    meetup.retention_until = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0 and "Anonymised" in result.output
    db.session.expire_all()
    anna = db.session.get(Participant, anna.id)
    assert anna.display_name == "Deelnemer 1"
    assert anna.email is None and anna.organisation == "" and not anna.email_consent
    agreement = Agreement.query.one()
    assert agreement.owner_name == "" and agreement.what == "Voorleesouders"
    assert Note.query.one().text == "Voorlezen in groep 1"
    assert Participant.query.count() == 1  # the counts stay
    assert db.session.get(Meetup, meetup.id).anonymised_at is not None


def test_the_server_anonymises_daily_by_itself(app: Flask, meetup: Meetup, tmp_path) -> None:
    anna = evening_with_data(app, meetup)
    app.config.update(BACKUP_DIR=str(tmp_path / "backups"))
    meetup.retention_until = datetime.now(UTC) + timedelta(hours=12)
    db.session.commit()
    state: dict[str, object] = {}
    now = datetime.now(UTC)
    housekeeping_once(app, state, now)
    db.session.expire_all()
    assert db.session.get(Participant, anna.id).display_name == "Anna de Vries"
    housekeeping_once(app, state, now + timedelta(days=1, minutes=1))
    db.session.expire_all()
    assert db.session.get(Participant, anna.id).display_name == "Deelnemer 1"


def test_a_participant_withdraws_consent_and_removes_their_name_from_their_phone(
        app: Flask, meetup: Meetup) -> None:
    phone = join_with_email(app, meetup, "Bram Bakker", "bram@example.org")
    page = phone.get(f"/live/{meetup.id}")
    assert f"/live/{meetup.id}/privacy" in page.get_data(as_text=True)
    mine = phone.get(f"/live/{meetup.id}/privacy").get_data(as_text=True)
    assert "bram@example.org" in mine
    assert phone.post(f"/live/{meetup.id}/privacy/withdraw").status_code == 302
    bram = Participant.query.one()
    db.session.refresh(bram)
    assert bram.email is None and not bram.email_consent
    assert phone.post(f"/live/{meetup.id}/privacy/remove-name").status_code == 302
    db.session.refresh(bram)
    assert bram.display_name == "Anoniem" and bram.organisation == ""
    # Someone without this phone's cookie cannot do it for them.
    other = app.test_client()
    assert other.post(f"/live/{meetup.id}/privacy/remove-name").status_code == 403


def test_the_shared_report_shows_emails_only_when_the_organiser_switches_it_on(
        app: Flask, meetup: Meetup) -> None:
    evening_with_data(app, meetup)
    token = sharing.share_report(db.session, meetup)
    db.session.commit()
    client = app.test_client()
    assert "anna@example.org" not in client.get(f"/r/{token}").get_data(as_text=True)
    meetup.report_shows_emails = True
    db.session.commit()
    assert "anna@example.org" in client.get(f"/r/{token}").get_data(as_text=True)


def test_the_join_form_links_to_a_privacy_page(app: Flask, client: FlaskClient,
                                               meetup: Meetup) -> None:
    form = client.get(f"/j/{meetup.join_token}").get_data(as_text=True)
    assert 'href="/privacy"' in form
    page = client.get("/privacy").get_data(as_text=True)
    assert "Wat we opslaan" in page and "12 maanden" in page
