"""What happens to follow-up mail after it is handed over (issue 23): a mail server that
refuses an address for good shows as "geweigerd" with its reason on the organiser's board;
the organiser's weekly digest speaks the organiser's language. Same real SMTP server and
injected clock as tests/test_mail_outbox.py (its fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Meetup, Organiser, OutboxMail
from meetup.services import followup
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
