"""Invitations by a one-time link (issue 25): the beheerder makes one on the members page, it
makes an account (or attaches the logged-in account with the invited address) once; a
withdrawn or expired one does not work. Mail: tests/test_invitation_mail.py."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Organiser
from meetup.services import organisations
from tests.realtime_helpers import login_over_http
from tests.test_security_roles import Place, place  # noqa: F401  (the fixture)


def _link(page: str) -> str:
    match = re.search(r'id="invitation-link"[^>]*value="([^"]+)"', page)
    assert match, page[:2000]
    return match.group(1).replace("http://meetup.test", "")


def test_an_invitation_link_makes_an_account_once(app: Flask, place: Place) -> None:
    ada = login_over_http(app, place.people["beheerder"])
    organisation_id = place.ids["organisation_id"]
    page = ada.post(f"/organiser/organisations/{organisation_id}/invitations",
                    data={"invite_email": "Nina@Example.org", "invite_role": "organisator"},
                    follow_redirects=True)
    assert page.status_code == 200
    # Shown once: the next visit of the members page no longer has it.
    assert "invitation-link" not in ada.get(
        f"/organiser/organisations/{organisation_id}/members").get_data(as_text=True)
    link = _link(page.get_data(as_text=True))
    stranger = app.test_client()
    form = stranger.get(link)
    assert form.status_code == 200 and "nina@example.org" in form.get_data(as_text=True)
    weak = stranger.post(link, data={"name": "Nina", "password": "kort"})
    assert "minstens 10 tekens" in weak.get_data(as_text=True)
    joined = stranger.post(link, data={"name": "Nina", "password": "een lange zin om te onthouden"})
    assert joined.status_code == 302
    nina = db.session.scalar(select(Organiser).where(Organiser.email == "nina@example.org"))
    assert nina is not None and nina.name == "Nina"
    assert stranger.get(f"/organiser/meetups/{place.meetup.id}/edit").status_code == 200
    # Used once: the link is dead now, also for somebody else.
    assert app.test_client().get(link).status_code == 404
    assert stranger.post(link, data={}).status_code == 404


def test_an_invitation_attaches_an_existing_account_only_when_logged_in_as_it(
        app: Flask, place: Place) -> None:
    ada = login_over_http(app, place.people["beheerder"])
    page = ada.post(f"/organiser/organisations/{place.ids['organisation_id']}/invitations",
                    data={"invite_email": "zed@example.org", "invite_role": "meekijker"},
                    follow_redirects=True)
    link = _link(page.get_data(as_text=True))
    anonymous = app.test_client().get(link).get_data(as_text=True)
    assert "Log in" in anonymous or "Inloggen" in anonymous
    assert app.test_client().post(link, data={"name": "x", "password": "p" * 12}).status_code \
        == 403
    bea = login_over_http(app, place.people["organisator"])
    assert bea.post(link).status_code == 403  # someone else's invitation
    zed = login_over_http(app, place.people["other"])
    assert zed.get(f"/organiser/meetups/{place.meetup.id}/live").status_code == 403
    assert zed.post(link).status_code == 302
    assert zed.get(f"/organiser/meetups/{place.meetup.id}/live").status_code == 200
    assert zed.get(f"/organiser/meetups/{place.meetup.id}/edit").status_code == 403
    assert zed.get("/organiser/meetups/new").status_code == 200  # still runs their own


def test_a_withdrawn_or_expired_invitation_does_not_work(app: Flask, place: Place) -> None:
    from datetime import timedelta

    from meetup.models import Invitation
    from meetup.models.types import utcnow

    invitation, token = organisations.invite(db.session, place.people["beheerder"],
                                             place.meetup.organisation, "late@example.org",
                                             "meekijker", now=utcnow() - timedelta(days=8))
    db.session.commit()
    assert app.test_client().get(f"/organiser/invitation/{token}").status_code == 404
    ada = login_over_http(app, place.people["beheerder"])
    pending = db.session.scalar(select(Invitation).where(
        Invitation.email == "new@example.org"))
    response = ada.post(f"/organiser/organisations/{place.ids['organisation_id']}/invitations/"
                        f"{pending.id}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, pending.id).used_at is not None
    assert invitation.id != pending.id
