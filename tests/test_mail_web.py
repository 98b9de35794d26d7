"""The organiser's view of follow-up mail, the development mailbox and the unsubscribe page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup import cli_mail
from meetup.extensions import db
from meetup.models import ConsentKind, OutboxMail, ReminderConsent, Unsubscribe
from meetup.services import mail_queue, mail_scheduler, unsubscribe
from tests.report_factories import make_evening


@pytest.fixture
def evening(organiser) -> Any:
    """A closed meetup whose first agreement's owner asked for reminders."""
    evening = make_evening(organiser)
    db.session.flush()
    owner = evening.consenting[0]
    consent = ReminderConsent(meetup_id=evening.meetup.id, participant_id=owner.id,
                              agreement_id=evening.agreements[0].id,
                              kind=ConsentKind.REMINDERS, email="sukru@example.org",
                              language="nl")
    db.session.add(consent)
    db.session.flush()
    assert mail_queue.plan_consent(db.session, consent) > 0
    db.session.commit()
    return evening


def test_without_smtp_the_meetup_page_says_mail_is_off_and_points_to_the_links(
        logged_in, evening) -> None:
    html = logged_in.get(f"/organiser/meetups/{evening.meetup.id}").get_data(as_text=True)
    assert "Mail staat uit." in html
    assert f"/organiser/meetups/{evening.meetup.id}/report#followup" in html
    assert "mailplanner" not in html  # no scheduler to warn about
    report = logged_in.get(f"/organiser/meetups/{evening.meetup.id}/report")
    assert f"/f/{evening.agreements[0].followup_token}" in report.get_data(as_text=True)


def test_the_page_warns_when_the_scheduler_has_not_run_for_an_hour(
        app: Flask, logged_in, evening) -> None:
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    url = f"/organiser/meetups/{evening.meetup.id}/mail"
    assert "Let op: de mailplanner heeft al meer dan een uur niet gedraaid" in \
        logged_in.get(url).get_data(as_text=True)  # never ran
    mail_scheduler.beat(db.session, datetime.now(UTC) - timedelta(minutes=50))
    html = logged_in.get(url).get_data(as_text=True)
    assert "De mailplanner draaide het laatst om" in html and "Let op" not in html
    mail_scheduler.beat(db.session, datetime.now(UTC) - timedelta(minutes=61))
    assert "Let op: de mailplanner" in logged_in.get(url).get_data(as_text=True)
    # The planned mails are listed by kind, without addresses.
    html = logged_in.get(url).get_data(as_text=True)
    assert "Herinnering op de datum" in html and "sukru@example.org" not in html


def test_the_development_mailbox_shows_the_mails_marked_as_not_sent(
        app: Flask, logged_in, evening, tmp_path: Path) -> None:
    app.config["MAIL_DEV_MAILBOX"] = str(tmp_path / "mailbox")
    app.config["PUBLIC_URL"] = "http://meetup.test"
    result = cli_mail.send_mail_once(app, datetime.now(UTC))
    assert result.sent == 1
    page = logged_in.get("/organiser/mailbox").get_data(as_text=True)
    assert "Alleen voor ontwikkeling en demonstratie." in page
    assert "Je afspraak van Meetup" in page and "sukru@example.org" in page
    [name] = [p.stem for p in (tmp_path / "mailbox").glob("*.eml")]
    one = logged_in.get(f"/organiser/mailbox/{name}").get_data(as_text=True)
    assert "Deze mail is niet verstuurd." in one
    assert "Voorleesouders op elke basisschool" in one and "afspraak.ics" in one
    html = logged_in.get(f"/organiser/mailbox/{name}/html")
    assert html.status_code == 200 and "sandbox" in html.headers["Content-Security-Policy"]
    # Another organiser sees none of it; without a development mailbox the page is gone.
    other = app.test_client()
    from meetup.services import organisers
    organisers.create_organiser(db.session, "bob@example.org", "correct horse battery")
    db.session.commit()
    other.post("/organiser/login", data={"email": "bob@example.org",
                                         "password": "correct horse battery"})
    assert "Je afspraak" not in other.get("/organiser/mailbox").get_data(as_text=True)
    assert other.get(f"/organiser/mailbox/{name}").status_code == 404
    app.config["MAIL_DEV_MAILBOX"] = None
    assert logged_in.get("/organiser/mailbox").status_code == 404


def test_the_unsubscribe_link_asks_first_and_then_stops_all_mail(
        app: Flask, client, evening) -> None:
    token = unsubscribe.make_token(app.config["SECRET_KEY"], evening.meetup.id,
                                   "Sukru@Example.org")
    page = client.get(f"/u/{token}")
    assert page.status_code == 200
    assert "Stop alle mail over deze meetup" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    pending = select(func.count(OutboxMail.id)).where(OutboxMail.cancelled_at.is_(None))
    assert db.session.scalar(pending) > 0  # a GET changed nothing
    done = client.post(f"/u/{token}", follow_redirects=True)
    assert "Klaar: je krijgt op dit adres geen herinneringen" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(pending) == 0
    assert db.session.scalar(select(Unsubscribe.how)) == "link"
    # Again: nothing more happens; a made-up link is refused in Dutch.
    assert client.post(f"/u/{token}").status_code == 302
    assert db.session.scalar(select(func.count(Unsubscribe.id))) == 1
    bad = client.get(f"/u/{token[:-3]}xyz")
    assert bad.status_code == 404 and "Deze afmeldlink werkt niet" in bad.get_data(as_text=True)


def test_the_organiser_sets_the_follow_up_intervals_in_the_meetup_form(
        logged_in, meetup) -> None:
    url = f"/organiser/meetups/{meetup.id}/edit"
    html = logged_in.get(url).get_data(as_text=True)
    assert 'id="reminder_days_before"' in html and 'value="3"' in html
    form = {"title": "Meetup Hilversum", "table_size": "6", "votes_per_person": "3",
            "reminder_days_before": "7", "followup_every_weeks": "2", "followup_max": "3"}
    assert logged_in.post(url, data=form).status_code == 302
    db.session.refresh(meetup)
    assert (meetup.reminder_days_before, meetup.followup_every_weeks, meetup.followup_max) \
        == (7, 2, 3)
    refused = logged_in.post(url, data={**form, "followup_every_weeks": "0"})
    assert refused.status_code != 302 and "Kies tussen 1 en 26 weken." in \
        refused.get_data(as_text=True)
    db.session.refresh(meetup)
    assert meetup.followup_every_weeks == 2


def test_the_smtp_url_names_security_port_and_login() -> None:
    from meetup.services.mail_transport import parse_smtp_url

    plain = parse_smtp_url("smtp://meetup%40example.nl:geheim%21@mail.example.nl:587")
    assert (plain.host, plain.port, plain.user, plain.password, plain.security) == \
        ("mail.example.nl", 587, "meetup@example.nl", "geheim!", "starttls")
    tls = parse_smtp_url("smtps://u:p@mail.example.nl")
    assert (tls.port, tls.security) == (465, "tls")
    for wrong in ("http://mail.example.nl", "smtp://", "mail.example.nl:587"):
        with pytest.raises(ValueError):
            parse_smtp_url(wrong)
