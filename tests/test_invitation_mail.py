"""An invitation (issue 25) also goes by mail when SMTP is configured: through the outbox,
in the person's language, with the one-time link at the public address; never once used."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from meetup import cli_mail
from meetup.extensions import db
from meetup.models import Organiser
from meetup.services import organisers
from tests.conftest import PASSWORD, make_app
from tests.mail_helpers import Handler, smtp_server

BASE = "https://meetup.example.nl"


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(tmp_path: Path, database_url: str, smtp: tuple[Handler, int]) -> Iterator[Flask]:
    _handler, port = smtp
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url,
                   SMTP_URL=f"smtp://127.0.0.1:{port}", PUBLIC_URL=BASE,
                   MAIL_FROM="Meetup <meetup@example.nl>")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_invitation_link_is_mailed_and_works_once(mail_app: Flask, smtp) -> None:
    handler, _port = smtp
    ada = organisers.create_organiser(db.session, "ada@example.org", PASSWORD, name="Ada")
    db.session.commit()
    organisation_id = ada.id  # her own organisation: the first one made
    client = mail_app.test_client()
    client.post("/organiser/login", data={"email": "ada@example.org", "password": PASSWORD})
    page = client.post(f"/organiser/organisations/{organisation_id}/invitations",
                       data={"invite_email": "nina@example.org", "invite_role": "organisator"},
                       follow_redirects=True).get_data(as_text=True)
    assert "ook per e-mail verstuurd naar nina@example.org" in page
    cli_mail.send_mail_once(mail_app, datetime.now(UTC))
    [mail] = handler.take()
    assert mail.to == "nina@example.org"
    assert mail.subject == "Uitnodiging om meetups te organiseren met Ada"
    assert "Ada nodigt je uit" in mail.text
    [link] = [url for url in mail.links() if "/organiser/invitation/" in url]
    assert link.startswith(f"{BASE}/organiser/invitation/")
    assert link.removeprefix(BASE) in page  # the same link the beheerder saw
    invitee = mail_app.test_client()
    joined = invitee.post(link.removeprefix(BASE),
                          data={"name": "Nina", "password": "een lange zin om te onthouden"})
    assert joined.status_code == 302
    assert db.session.query(Organiser).filter_by(email="nina@example.org").one().name == "Nina"
    assert invitee.get(link.removeprefix(BASE)).status_code == 404


def test_an_invitation_used_before_the_mail_went_is_not_mailed(mail_app: Flask, smtp) -> None:
    handler, _port = smtp
    ada = organisers.create_organiser(db.session, "ada@example.org", PASSWORD, name="Ada")
    db.session.commit()
    client = mail_app.test_client()
    client.post("/organiser/login", data={"email": "ada@example.org", "password": PASSWORD})
    client.post(f"/organiser/organisations/{ada.id}/invitations",
                data={"invite_email": "nina@example.org", "invite_role": "meekijker"})
    from meetup.models import Invitation
    invitation = db.session.query(Invitation).one()
    client.post(f"/organiser/organisations/{ada.id}/invitations/{invitation.id}/withdraw")
    cli_mail.send_mail_once(mail_app, datetime.now(UTC))
    assert handler.take() == []
