"""Follow-up mail (issue 23) through a real SMTP server (aiosmtpd on loopback) with an injected
clock: consent on the phone, the close, reminders on their dates, unsubscribe, anonymise, and
the scheduler's promises (nothing twice, nothing lost). Runs on PostgreSQL too (Makefile)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetup import cli_mail
from meetup.extensions import db
from meetup.models import (
    Agreement,
    AgreementStatus,
    MailKind,
    Meetup,
    OutboxMail,
    Phase,
    ReminderConsent,
    Unsubscribe,
)
from meetup.services import followup, mail_queue, mail_scheduler, privacy
from meetup.services.agreements import today_in_amsterdam
from tests.conftest import make_app
from tests.mail_helpers import Handler, Received, parse_ics, smtp_server
from tests.realtime_helpers import Evening, connect, emit_ok, new_op

BASE = "http://meetup.test"


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(tmp_path, database_url: str, smtp) -> Iterator[Flask]:
    """The app with mail on: MEETUP_SMTP_URL points at the test's SMTP server."""
    from meetup.realtime import allowance, throttle

    _handler, port = smtp
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url,
                   SMTP_URL=f"smtp://127.0.0.1:{port}", PUBLIC_URL=BASE,
                   MAIL_FROM="Meetup Hilversum <meetup@example.nl>")
    with app.app_context():
        db.create_all()
        yield app
        throttle.counts_throttle.reset()
        allowance.allowances.reset()
        db.session.remove()
        db.engine.dispose()


def run(app: Flask, now: datetime) -> Any:
    """One scheduler run at ``now`` (its own session, as a separate worker would be)."""
    result = cli_mail.send_mail_once(app, now)
    db.session.expire_all()
    return result


def at(day: date, hour: int = 8, minute: int = 1) -> datetime:
    return mail_queue.local_moment(day).replace(hour=hour, minute=minute).astimezone(UTC)


class ClosingEvening:
    """Four phones at two tables; Anna (in English) leads the taal table's agreement and asks
    for reminders; Bram signs on to it and asks for his agreements; Carla leads the zorg
    table's agreement without consent; then the organiser closes the meetup."""

    def __init__(self, app: Flask, meetup: Meetup) -> None:
        self.evening = evening = Evening(app, meetup)
        self.due = today_in_amsterdam() + timedelta(days=20)
        # Anna's phone speaks English: her mails must too.
        evening.clients["anna"].get("/lang/en")
        evening.sockets["anna"].disconnect()
        evening.sockets["anna"] = connect(app, evening.clients["anna"], meetup.id)
        emit_ok(evening.organiser, "phase.set", {"phase": "agreements"})
        self.taal = self.write(evening, "anna", {"what": "Voorleesouders in groep 1-2",
                                                  "first_step": "Ouders vragen op de ouderavond",
                                                  "owner_organisation": ""},
                               owner="anna")
        self.zorg = self.write(evening, "carla", {"what": "Spreekuur GGD op school",
                                                   "owner_name": "Carla Jansen",
                                                   "owner_organisation": "GGD Gooi",
                                                   "first_step": "Rooster maken"})
        emit_ok(evening["bram"], "agreement.sign", {"agreement": self.taal})
        emit_ok(evening["dirk"], "agreement.sign", {"agreement": self.zorg})
        self.anna_consent = emit_ok(evening["anna"], "reminders.consent",
                                    {"agreement": self.taal, "email": "anna@example.org"})
        emit_ok(evening["bram"], "reminders.consent",
                {"agreement": None, "email": "bram@example.org"})

    def write(self, evening: Evening, who: str, fields: dict[str, Any],
              owner: str | None = None) -> str:
        agreement = str(uuid.uuid4())
        emit_ok(evening[who], "agreement.create", {"agreement": agreement})
        if owner is not None:
            picked = emit_ok(evening[who], "agreement.update", {
                "agreement": agreement, "fields": {"owner": evening.ids[owner]}})
            assert picked["agreement"]["owner"] == evening.ids[owner]
            assert picked["agreement"]["owner_name"] == f"{owner.title()} Jansen"
            assert picked["agreement"]["owner_organisation"] == "OBS De Regenboog"
            fields = {k: v for k, v in fields.items() if k != "owner_organisation"}
        emit_ok(evening[who], "agreement.update", {
            "agreement": agreement, "fields": {**fields, "due_date": self.due.isoformat()}})
        emit_ok(evening[who], "agreement.finalise", {"agreement": agreement})
        return agreement

    def close(self) -> None:
        emit_ok(self.evening.organiser, "phase.set", {"phase": "closed"})


def _agreement(key: str) -> Agreement:
    return db.session.scalar(select(Agreement).where(Agreement.uuid == uuid.UUID(key)))


def _only(mails: list[Received], address: str) -> Received:
    [mail] = [m for m in mails if m.rcpt_tos == [address]]
    return mail


def test_a_whole_evening_closes_and_the_consenting_people_get_exactly_their_mails(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    assert evening.anna_consent["reminders"] == [{"agreement": evening.taal,
                                                  "email": "anna@example.org"}]
    assert run(app, datetime.now(UTC)).sent == 0  # nothing before the close
    evening.close()
    now = datetime.now(UTC)
    # The close queued the rows in its own transaction: here before any scheduler ran.
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 2 + 2 + 6

    assert run(app, now).sent == 2
    mails = handler.take()
    assert sorted(m.rcpt_tos[0] for m in mails) == ["anna@example.org", "bram@example.org"]
    anna, bram = _only(mails, "anna@example.org"), _only(mails, "bram@example.org")
    for mail in mails:
        assert len(mail.rcpt_tos) == 1 and "," not in mail.to  # one address, nobody else's
        assert mail.message["From"] == "Meetup Hilversum <meetup@example.nl>"
        assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert mail.message["List-Unsubscribe"].startswith(f"<{BASE}/u/")
        leave = mail.message["List-Unsubscribe"].strip("<>").removesuffix("/one-click")
        assert leave in mail.text and f'<a href="{leave}">' in mail.html  # visible
    assert "bram@" not in anna.message.as_string() and "anna@" not in bram.message.as_string()
    # Anna used English at the evening, Bram Dutch.
    assert anna.subject == "Your agreement from Meetup Hilversum: Voorleesouders in groep 1-2"
    assert anna.message["Content-Language"] == "en"
    assert "Open your private follow-up page" in anna.text
    assert bram.subject == "De afspraken waar je aan meedoet, van Meetup Hilversum"
    assert "Voorleesouders in groep 1-2" in bram.text and "Spreekuur" not in bram.text

    # Anna's private follow-up link works; her .ics has the first step's date.
    taal = _agreement(evening.taal)
    link = f"{BASE}/f/{taal.followup_token}"
    assert link in anna.text and link in anna.html
    page = app.test_client().get(urlsplit(link).path)
    assert page.status_code == 200 and "Voorleesouders in groep 1-2" in page.get_data(True)
    [event] = parse_ics(anna.attachment("text/calendar") or "")
    assert event["DTSTART"] == evening.due.strftime("%Y%m%d")
    assert "Ouders vragen op de ouderavond" in event["SUMMARY"]
    assert parse_ics(bram.attachment("text/calendar") or "")[0]["DTSTART"] == \
        evening.due.strftime("%Y%m%d")

    # Carla led an agreement without asking: no mail to anyone about it.
    assert all("Spreekuur" not in m.text for m in mails)

    # A second scheduler, and a restart, at the same moment: nothing twice.
    assert run(app, now).sent == 0 and run(app, now + timedelta(minutes=1)).sent == 0
    assert handler.take() == []

    # The reminders come on their dates: 3 days before, then on the day (08:00 Amsterdam).
    assert run(app, at(evening.due - timedelta(days=3), 7, 59)).sent == 0
    assert run(app, at(evening.due - timedelta(days=3))).sent == 1
    [before] = handler.take()
    assert before.rcpt_tos == ["anna@example.org"]
    assert before.subject == "Reminder: the first step of “Voorleesouders in groep 1-2” " \
                             "is coming up"
    assert run(app, at(evening.due)).sent == 1
    [on_the_day] = handler.take()
    assert on_the_day.subject == "Today: the first step of “Voorleesouders in groep 1-2”"

    # Unsubscribe from that mail (a GET shows a page and changes nothing; the POST stops it).
    leave = on_the_day.message["List-Unsubscribe"].strip("<>")
    client = app.test_client()
    page_path = urlsplit(leave).path.removesuffix("/one-click")
    assert client.get(page_path).status_code == 200
    assert db.session.scalar(select(func.count(Unsubscribe.id))) == 0
    assert client.post(urlsplit(leave).path, data={"List-Unsubscribe": "One-Click"}
                       ).status_code == 204
    assert db.session.scalar(select(Unsubscribe.how)) == "one-click"
    # The next "Hoe staat het ervoor?" does not come.
    assert run(app, at(evening.due + timedelta(weeks=4))).sent == 0
    assert handler.take() == []
    consent = db.session.scalar(select(ReminderConsent).where(
        ReminderConsent.agreement_id == taal.id))
    assert consent.withdrawn_at is not None and consent.email == ""


def test_follow_ups_every_four_weeks_with_status_buttons_until_done_at_most_six(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    evening.close()
    run(app, datetime.now(UTC))
    handler.take()
    taal = _agreement(evening.taal)
    sent: list[Received] = []
    for weeks in (4, 8):
        assert run(app, at(evening.due + timedelta(weeks=weeks))).sent == 1
        sent += handler.take()
    first = sent[0]
    assert first.subject == "How is it going? Voorleesouders in groep 1-2"
    # One-click status buttons: each leads to the follow-up page with that status chosen;
    # following it changes nothing.
    done_link = f"{BASE}/f/{taal.followup_token}?status=done"
    assert done_link in first.html
    page = app.test_client().get(urlsplit(done_link).path + "?status=done")
    assert 'checked id="status-2" name="status" required type="radio" value="done"' in \
        page.get_data(True)
    db.session.expire_all()
    assert _agreement(evening.taal).status is AgreementStatus.PLANNED
    # Reported done: no more follow-ups.
    followup.record_update(db.session, _agreement(evening.taal), "done", "Gelukt")
    db.session.commit()
    for weeks in (12, 16, 20, 24, 28):
        assert run(app, at(evening.due + timedelta(weeks=weeks))).sent == 0
    assert handler.take() == []
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.kind == MailKind.FOLLOWUP)) == 6  # at most six planned


def test_no_mail_without_consent_and_none_after_withdrawing_on_the_phone(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    # Bram is not the owner: he cannot ask for reminders about Anna's agreement.
    refused = evening.evening["bram"].emit("reminders.consent", {
        "op": new_op(), "agreement": evening.taal, "email": "bram@example.org"}, callback=True)
    assert refused["ok"] is False and refused["error"] == "forbidden"
    bad = evening.evening["anna"].emit("reminders.consent", {
        "op": new_op(), "agreement": evening.taal, "email": "geen adres"}, callback=True)
    assert bad["ok"] is False and bad["error"] == "invalid" and bad["field"] == "email"
    withdrawn = emit_ok(evening.evening["anna"], "reminders.withdraw",
                        {"agreement": evening.taal})
    assert withdrawn["reminders"] == []
    evening.close()
    for moment in (datetime.now(UTC), at(evening.due - timedelta(days=3)), at(evening.due),
                   at(evening.due + timedelta(weeks=4))):
        run(app, moment)
    assert [m.rcpt_tos for m in handler.take()] == [["bram@example.org"]]


def test_consent_given_after_the_close_is_mailed_then(app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    emit_ok(evening.evening["anna"], "reminders.withdraw", {"agreement": evening.taal})
    evening.close()
    run(app, datetime.now(UTC))
    assert [m.rcpt_tos for m in handler.take()] == [["bram@example.org"]]
    emit_ok(evening.evening["anna"], "reminders.consent",
            {"agreement": evening.taal, "email": "anna@example.org"})
    assert run(app, datetime.now(UTC)).sent == 1
    assert handler.take()[0].rcpt_tos == ["anna@example.org"]


def test_anonymising_ends_all_scheduled_mail_and_removes_the_addresses(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    evening.close()
    privacy.anonymise_meetup(db.session, db.session.get(Meetup, meetup.id))
    db.session.commit()
    for moment in (datetime.now(UTC), at(evening.due), at(evening.due + timedelta(weeks=4))):
        assert run(app, moment).sent == 0
    assert handler.take() == []
    assert db.session.scalars(select(OutboxMail.recipient).distinct()).all() == [""]
    assert db.session.scalars(select(ReminderConsent.email).distinct()).all() == [""]


def test_smtp_down_for_a_day_loses_nothing_and_sends_each_mail_once(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, port = smtp
    evening = ClosingEvening(app, meetup)
    evening.close()
    start = datetime.now(UTC)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens there: the server is down
    moment, runs = start, 0
    while moment < start + timedelta(days=1):
        result = run(app, moment)
        assert result.sent == 0
        runs += 1
        moment += timedelta(minutes=5)
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.kind.in_(
        [MailKind.OWNER_CLOSED, MailKind.SIGNED_CLOSED]))).all()
    assert all(r.sent_at is None and r.cancelled_at is None and r.attempts > 5 for r in rows)
    assert all("ConnectionRefusedError" in r.last_error for r in rows)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"  # back up
    assert run(app, moment + timedelta(hours=1)).sent == 2
    assert sorted(m.rcpt_tos[0] for m in handler.take()) == ["anna@example.org",
                                                             "bram@example.org"]
    assert run(app, moment + timedelta(hours=2)).sent == 0


def test_two_schedulers_at_once_send_every_mail_exactly_once(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    evening.close()
    # Many due mails at the same moment (e.g. the close of a big evening).
    consent = db.session.scalar(select(ReminderConsent).where(
        ReminderConsent.agreement_id.is_not(None)))
    now = datetime.now(UTC)
    for n in range(60):
        db.session.add(OutboxMail(
            meetup_id=meetup.id, agreement_id=consent.agreement_id, consent_id=consent.id,
            kind=MailKind.REMINDER_DAY, recipient=f"p{n}@example.org", language="nl",
            dedup_key=f"load:{n}", data={}, due_at=now, attempts=0, last_error="",
            cancel_reason=""))
    db.session.commit()
    results: list[Any] = []
    workers = [threading.Thread(target=lambda: results.append(cli_mail.send_mail_once(app, now)))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    got = [m.rcpt_tos[0] for m in handler.take()]
    assert len(got) == len(set(got)) == 62
    assert sum(r.sent for r in results) == 62


def test_a_crash_after_the_smtp_server_accepted_resends_that_mail_once_only(
        app: Flask, meetup: Meetup, smtp, monkeypatch) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    emit_ok(evening.evening["bram"], "reminders.withdraw", {"agreement": None})
    evening.close()
    now = datetime.now(UTC)
    real_finish = mail_scheduler._finish

    def crash(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed between the SMTP server's 250 and the row's update")

    monkeypatch.setattr(mail_scheduler, "_finish", crash)
    with pytest.raises(SystemExit):
        run(app, now)
    monkeypatch.setattr(mail_scheduler, "_finish", real_finish)
    assert len(handler.take()) == 1  # accepted, but not marked
    # Another scheduler right away: the claim (lease) still holds, nothing goes.
    assert run(app, now + timedelta(minutes=1)).sent == 0
    # After the lease: that one mail once more, then never again.
    assert run(app, now + mail_scheduler.LEASE + timedelta(minutes=1)).sent == 1
    assert [m.rcpt_tos for m in handler.take()] == [["anna@example.org"]]
    for minutes in (20, 60, 600):
        assert run(app, now + mail_scheduler.LEASE + timedelta(minutes=minutes)).sent == 0
    assert handler.take() == []


def test_the_scheduler_leaves_a_heartbeat_and_mail_off_needs_no_scheduler(
        app: Flask, meetup: Meetup) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    run(app, now)
    assert mail_scheduler.last_run(db.session) == now
    app.config["SMTP_URL"] = None
    assert cli_mail.send_mail_once(app, now + timedelta(hours=2)) is None
    assert mail_scheduler.last_run(db.session) == now
    assert Phase.CLOSED  # (mail off: the close still works, see test_mail_web)


def test_an_owner_who_is_no_longer_the_owner_gets_no_reminders(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    emit_ok(evening.evening["bram"], "reminders.withdraw", {"agreement": None})
    emit_ok(evening.evening["anna"], "agreement.update", {
        "agreement": evening.taal, "fields": {"owner": evening.evening.ids["bram"]}})
    evening.close()
    for moment in (datetime.now(UTC), at(evening.due)):
        assert run(app, moment).sent == 0
    assert handler.take() == []


def test_the_meetups_intervals_decide_the_plan() -> None:
    from types import SimpleNamespace

    meetup = SimpleNamespace(reminder_days_before=7, followup_every_weeks=2, followup_max=3)
    agreement = SimpleNamespace(due_date=date(2027, 3, 29))  # summer time from 28 March
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    plan = [(kind.value, due.astimezone(mail_queue.ZONE).strftime("%Y-%m-%d %H:%M"))
            for kind, _suffix, due, _expires, _data in
            mail_queue.owner_plan(meetup, agreement, now)]  # type: ignore[arg-type]
    assert plan == [("owner_closed", "2027-03-01 13:00"),
                    ("reminder_before", "2027-03-22 08:00"),
                    ("reminder_day", "2027-03-29 08:00"),
                    ("followup", "2027-04-12 08:00"), ("followup", "2027-04-26 08:00"),
                    ("followup", "2027-05-10 08:00")]
    # Closed too late for the reminder before the date: it is left out, not sent late.
    late = mail_queue.owner_plan(meetup, agreement, datetime(2027, 3, 25, tzinfo=UTC))  # type: ignore[arg-type]
    assert [k.value for k, *_ in late][:2] == ["owner_closed", "reminder_day"]


def test_the_organiser_gets_a_weekly_digest_of_updates_only_when_asked_and_only_with_news(
        app: Flask, meetup: Meetup, smtp) -> None:
    handler, _port = smtp
    evening = ClosingEvening(app, meetup)
    emit_ok(evening.evening["anna"], "reminders.withdraw", {"agreement": evening.taal})
    emit_ok(evening.evening["bram"], "reminders.withdraw", {"agreement": None})
    evening.close()
    monday = today_in_amsterdam() + timedelta(days=7 - today_in_amsterdam().weekday())
    update = followup.record_update(db.session, _agreement(evening.taal), "in_progress",
                                    "Drie ouders gevonden")
    update.created_at = at(monday - timedelta(days=2), 12)
    db.session.commit()
    assert run(app, at(monday)).sent == 0  # not asked for
    assert handler.take() == []
    db.session.get(Meetup, meetup.id).organiser_digest = True
    db.session.commit()
    assert run(app, at(monday, 7, 59)).sent == 0
    assert run(app, at(monday, 9)).sent == 1
    [digest] = handler.take()
    assert digest.rcpt_tos == [meetup.organiser.email]
    assert digest.subject == "De updates van deze week over de afspraken van Meetup Hilversum"
    assert "Voorleesouders in groep 1-2: Bezig (Drie ouders gevonden)" in digest.text
    assert "anna@" not in digest.message.as_string()
    assert run(app, at(monday, 12)).sent == 0  # once a week
    assert run(app, at(monday + timedelta(days=7))).sent == 0  # no news that week: no mail
    assert handler.take() == []


def test_the_consent_reaches_the_persons_other_phones_and_nobody_else(
        app: Flask, meetup: Meetup) -> None:
    from tests.realtime_helpers import events

    evening = Evening(app, meetup)
    second = connect(app, evening.clients["anna"], meetup.id)
    second.get_received()
    evening.drain()
    emit_ok(evening["anna"], "reminders.consent",
            {"agreement": None, "email": "anna@example.org"})
    assert [e["reminders"] for e in events(second, "reminders")] == [
        [{"agreement": None, "email": "anna@example.org"}]]
    for other in ("bram", "carla"):
        assert events(evening[other], "reminders") == []
    assert events(evening.organiser, "reminders") == []
    # A reconnecting phone finds it in its snapshot, with the address given at joining.
    third = connect(app, evening.clients["anna"], meetup.id)
    [snapshot] = events(third, "snapshot")
    assert snapshot["reminders"] == [{"agreement": None, "email": "anna@example.org"}]
