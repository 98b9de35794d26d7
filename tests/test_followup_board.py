"""The organiser's follow-up board (issue 23, point 6): rows, filters and the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    AgreementStatus,
    AuditEntry,
    ConsentKind,
    MailKind,
    OutboxMail,
    ReminderConsent,
)
from meetup.services import followup_board, mail_queue
from tests.report_factories import add_agreement, make_evening


@pytest.fixture
def evening(organiser) -> Any:
    evening = make_evening(organiser)
    db.session.flush()
    owner = evening.consenting[0]
    consent = ReminderConsent(meetup_id=evening.meetup.id, participant_id=owner.id,
                              agreement_id=evening.agreements[0].id,
                              kind=ConsentKind.REMINDERS, email="sukru@example.org")
    db.session.add(consent)
    db.session.flush()
    mail_queue.plan_consent(db.session, consent)
    db.session.commit()
    return evening


def test_the_board_shows_each_agreement_with_its_update_and_mail_and_filters(
        logged_in, evening) -> None:
    url = f"/organiser/meetups/{evening.meetup.id}/board"
    html = logged_in.get(url).get_data(as_text=True)
    assert "4 afspraken" in html
    assert "Voorleesouders op elke basisschool" in html and "Eerste ouders gevonden" in html
    assert "geen mail (niet gevraagd)" in html and "verstuurd: 0" in html
    assert "CONCEPTAFSPRAAK" not in html and "VERWIJDERDE AFSPRAAK" not in html
    no_word = logged_in.get(url + "?filter=no_word").get_data(as_text=True)
    assert "3 afspraken" in no_word and "Voorleesouders op elke basisschool" not in no_word
    done = logged_in.get(url + "?filter=done").get_data(as_text=True)
    assert "0 afspraken" in done


def test_date_passed_without_word(evening) -> None:
    today = date(2027, 2, 2)  # after 1 Feb and 15 Jan
    rows = followup_board.rows(db.session, evening.meetup, today, "overdue")
    # #1 (1 Feb) has an update, but from before its date; #2 (15 Jan) none; #3 no date.
    assert {r.what for r in rows} == {"Voorleesouders op elke basisschool",
                                      "Tolk bij elk oudergesprek in groep 8"}


def test_the_board_reads_500_agreements_in_a_fixed_number_of_queries(
        organiser, evening) -> None:
    from sqlalchemy import event

    for n in range(500):
        add_agreement(evening.meetup, what=f"Afspraak {n}", owner_name="X",
                      owner_organisation="Y", due_date=date(2027, 3, 1))
    db.session.commit()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = followup_board.rows(db.session, evening.meetup, date(2027, 1, 1))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(rows) == 504 and len(statements) <= 6


def test_the_organiser_resends_the_link_changes_the_owner_and_records_an_update(
        logged_in, evening) -> None:
    agreement = evening.agreements[0]
    url = f"/organiser/meetups/{evening.meetup.id}/board/{agreement.id}"
    page = logged_in.get(url).get_data(as_text=True)
    assert f"/f/{agreement.followup_token}" in page
    assert logged_in.post(url, data={"action": "resend"}).status_code == 302
    resent = db.session.scalar(select(OutboxMail).where(OutboxMail.dedup_key.like("resend:%")))
    assert resent.kind is MailKind.OWNER_CLOSED and resent.recipient == "sukru@example.org"
    assert logged_in.post(url, data={"action": "update", "status": "done",
                                     "note": "Gebeld met de trekker"}).status_code == 302
    db.session.refresh(agreement)
    assert agreement.status is AgreementStatus.DONE
    assert agreement.updates[-1].source == "organiser"
    assert "door jou vastgelegd" in logged_in.get(url).get_data(as_text=True)
    assert logged_in.post(url, data={"action": "owner", "owner_name": "Nieuwe Trekker",
                                     "owner_organisation": "Bibliotheek"}).status_code == 302
    db.session.refresh(agreement)
    assert agreement.owner_name == "Nieuwe Trekker"
    assert db.session.scalar(select(AuditEntry.action)) == "agreement.owner"
    # The previous owner's reminders stop.
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.agreement_id == agreement.id, OutboxMail.sent_at.is_(None),
        OutboxMail.cancelled_at.is_(None))) == 0
    refused = logged_in.post(url, data={"action": "owner", "owner_name": " "})
    assert refused.status_code == 422 and "Vul in wie de afspraak trekt." in \
        refused.get_data(as_text=True)
    assert logged_in.post(url, data={"action": "resend"}).status_code == 302
    assert "De trekker gaf geen e-mailadres" in logged_in.get(url).get_data(as_text=True)


def test_another_organisers_agreement_is_not_found(logged_in, evening) -> None:
    from meetup.services import organisers
    from tests.report_factories import make_meetup

    other = organisers.create_organiser(db.session, "bob@example.org", "correct horse battery")
    meetup = make_meetup(other)
    db.session.commit()
    url = f"/organiser/meetups/{evening.meetup.id}/board/{evening.agreements[0].id}"
    assert logged_in.get(url).status_code == 200
    assert logged_in.get(f"/organiser/meetups/{meetup.id}/board").status_code in (403, 404)
