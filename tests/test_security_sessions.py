"""Organiser sessions that end (issue 14, point 2).

The attack: someone copies the organiser's session cookie (the venue's Wi-Fi is plain HTTP)
and keeps using it. Logging out, changing the password and "log out everywhere" must end every
copy server-side, for pages and for the organiser's socket; and no session lives longer than
``ORGANISER_SESSION_MAX_AGE``, however often it is used.
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.models import Meetup, Organiser
from tests.conftest import PASSWORD
from tests.realtime_helpers import connect


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session", domain="meetup.test")
    assert cookie is not None
    thief.set_cookie("session", cookie.value, domain="meetup.test")
    return thief


def opens_dashboard(client: FlaskClient) -> bool:
    return client.get("/organiser/").status_code == 200


def test_logout_ends_a_copied_cookie(app: Flask, logged_in: FlaskClient, meetup: Meetup) -> None:
    thief = copy_of(app, logged_in)
    assert opens_dashboard(thief)
    logged_in.post("/organiser/logout")
    assert not opens_dashboard(thief)
    assert thief.get("/organiser/").headers["Location"].startswith("/organiser/login")
    assert not opens_dashboard(logged_in)


def test_logout_ends_the_copied_cookie_on_the_socket_too(app: Flask, logged_in: FlaskClient,
                                                         meetup: Meetup) -> None:
    thief = copy_of(app, logged_in)
    before = connect(app, thief, meetup.id, as_="organiser")
    assert before.is_connected()
    logged_in.post("/organiser/logout")
    # A socket opened before the logout can no longer change anything ...
    ack = before.emit("phase.set", {"op": "6f1c1c2e-8a45-4a55-9a0e-0d8c7a1f0001",
                                    "phase": "theme_choice"}, callback=True)
    assert ack["ok"] is False and ack["error"] == "unauthorised"
    # ... and a new one is refused.
    assert not connect(app, thief, meetup.id, as_="organiser").is_connected()


def test_changing_the_password_ends_every_other_copy(app: Flask, logged_in: FlaskClient,
                                                     organiser: Organiser) -> None:
    thief = copy_of(app, logged_in)
    response = logged_in.post("/organiser/account", data={
        "current": PASSWORD, "new": "een heel nieuw wachtwoord"})
    assert response.status_code == 302
    assert opens_dashboard(logged_in)  # the browser that changed it stays logged in
    assert not opens_dashboard(thief)


def test_a_wrong_current_password_changes_nothing(app: Flask, logged_in: FlaskClient,
                                                  organiser: Organiser) -> None:
    response = logged_in.post("/organiser/account", data={
        "current": "not my password", "new": "een heel nieuw wachtwoord"})
    assert response.status_code == 200
    assert "Je huidige wachtwoord klopt niet" in response.get_data(as_text=True)
    db.session.refresh(organiser)
    assert organiser.session_version == 0


def test_log_out_everywhere_ends_other_copies(app: Flask, logged_in: FlaskClient) -> None:
    thief = copy_of(app, logged_in)
    assert logged_in.post("/organiser/account/logout-everywhere").status_code == 302
    assert opens_dashboard(logged_in)
    assert not opens_dashboard(thief)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(
        app: Flask, logged_in: FlaskClient, meetup: Meetup) -> None:
    app.config["ORGANISER_SESSION_MAX_AGE"] = 3600
    assert opens_dashboard(logged_in)  # using it refreshes the cookie ...
    with logged_in.session_transaction() as session:
        session["organiser_since"] = int(time.time()) - 3601  # ... but not the login time
    assert not opens_dashboard(logged_in)
    assert not connect(app, logged_in, meetup.id, as_="organiser").is_connected()


def test_a_cookie_from_before_this_release_is_not_accepted(app: Flask, client: FlaskClient,
                                                           organiser: Organiser) -> None:
    """A cookie with only ``organiser_id`` (forged, or from the old version) opens nothing."""
    with client.session_transaction() as session:
        session["organiser_id"] = organiser.id
    assert not opens_dashboard(client)
