"""What happens to follow-up mail after it is handed over (issue 23): a mail server that
refuses an address for good shows as "geweigerd" with its reason on the organiser's board;
the organiser's weekly digest speaks the organiser's language. Same real SMTP server and
injected clock as tests/test_mail_outbox.py (its fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Organiser, OutboxMail
from meetup.services import followup, privacy
from meetup.services.agreements import today_in_amsterdam
from tests.test_mail_outbox import (  # noqa: F401  (fixtures)
    ClosingEvening,
    _agreement,
    app,
    at,
    run,
    smtp,
)


def test_a_permanent_refusal_is_shown_on_the_board_as_refused_with_the_reason(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    handler.refuse.add("anna@example.org")
    evening = ClosingEvening(app, meetup)
    evening.close()
    result = run(app, datetime.now(UTC))
    assert (result.sent, result.failed) == (1, 1)  # Bram's mail went, Anna's was refused
    assert [m.rcpt_tos for m in handler.take()] == [["bram@example.org"]]
    refused = db.session.scalar(select(OutboxMail).where(OutboxMail.failed_at.is_not(None)))
    assert refused is not None and refused.recipient == "anna@example.org"
    # Refused for good: not tried again on the next run.
    assert run(app, datetime.now(UTC) + timedelta(hours=1)).failed == 0
    assert handler.take() == []

    organiser = evening.evening.organiser_client
    board = organiser.get(f"/organiser/meetups/{meetup.id}/board").get_data(as_text=True)
    assert "geweigerd: 1" in board
    assert "550 5.1.1 &lt;anna@example.org&gt;: Recipient address rejected: User unknown" \
        in board
    taal = _agreement(evening.taal)
    page = organiser.get(f"/organiser/meetups/{meetup.id}/board/{taal.id}").get_data(
        as_text=True)
    assert "De mailserver weigerde de mail: 550 5.1.1" in page and "User unknown" in page

    # Anonymising removes the address from the refusal's reason too.
    privacy.anonymise_meetup(db.session, db.session.get(Meetup, meetup.id))
    db.session.commit()
    board = organiser.get(f"/organiser/meetups/{meetup.id}/board").get_data(as_text=True)
    assert "anna@example.org" not in board
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.last_error.contains("@"))) == 0


def test_the_weekly_digest_speaks_the_language_the_organiser_chose(
        app: Flask, meetup: Meetup, smtp) -> None:
    """Ada switches her pages to English: her digest comes in English (Dutch before that)."""
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    evening.close()
    assert run(app, datetime.now(UTC)).sent == 2  # the close's mails to Anna and Bram
    handler.take()
    meetup_row = db.session.get(Meetup, meetup.id)
    meetup_row.organiser_digest = True
    db.session.commit()

    def news_on(monday: object) -> None:
        update = followup.record_update(db.session, _agreement(evening.taal), "in_progress",
                                        "Drie ouders gevonden")
        update.created_at = at(monday - timedelta(days=2), 12)  # type: ignore[operator]
        db.session.commit()

    monday = today_in_amsterdam() + timedelta(days=7 - today_in_amsterdam().weekday())
    news_on(monday)
    assert run(app, at(monday, 9)).sent == 1
    [dutch] = handler.take()
    assert dutch.subject == "De updates van deze week over de afspraken van Meetup Hilversum"
    assert dutch.message["Content-Language"] == "nl"

    organiser = evening.evening.organiser_client
    organiser.get("/lang/en", headers={"Referer": "http://meetup.test/organiser/"})
    db.session.expire_all()
    assert db.session.get(Organiser, meetup.organiser_id).language == "en"
    later = monday + timedelta(days=7)
    news_on(later)
    assert run(app, at(later, 9)).sent == 1
    [english] = handler.take()
    assert english.rcpt_tos == [meetup.organiser.email]
    assert english.subject == "This week's updates on the agreements of Meetup Hilversum"
    assert english.message["Content-Language"] == "en"
    assert "What the owners reported this week" in english.text


def test_logging_in_keeps_the_language_the_browser_speaks(app: Flask, meetup: Meetup) -> None:
    from tests.conftest import PASSWORD

    client = app.test_client()
    response = client.post("/organiser/login", data={"email": meetup.organiser.email,
                                                     "password": PASSWORD},
                           headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organiser, meetup.organiser_id).language == "en"
    client.get("/lang/nl")  # switching back, logged in: kept too
    db.session.expire_all()
    assert db.session.get(Organiser, meetup.organiser_id).language == "nl"
    # Someone not logged in who switches changes no organiser.
    app.test_client().get("/lang/en")
    db.session.expire_all()
    assert db.session.get(Organiser, meetup.organiser_id).language == "nl"
