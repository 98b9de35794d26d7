"""Roles in an organisation (issue 25): every organiser route and every organiser socket event,
for a beheerder, an organisator, a meekijker, an organiser of another organisation and
somebody logged out. Only what the role allows gets through (``services.access``):

- read (every role): the meetup's pages, live page, projector, reports, follow-up, series;
- run (beheerder, organisator): every change to a meetup and its evening;
- manage (beheerder): the organisation's members and invitations.

The routes come from ``app.url_map`` (every ``organiser.*`` route and every view behind
``login_required``), the events from ``realtime.handlers.EVENTS``: a route or event added
later is checked here without anyone writing a line, or the test says how to classify it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from meetup.extensions import db
from meetup.models import (
    AuditEntry,
    Meetup,
    Membership,
    Organiser,
    PhaseChange,
    Role,
)
from meetup.realtime.auth import ORGANISER
from meetup.realtime.handlers import EVENTS
from meetup.services import organisations, organisers, series
from meetup.services.access import MANAGE, READ, RUN
from tests.conftest import PASSWORD
from tests.realtime_helpers import Evening, connect, events, login_over_http, new_op

ROLES = ("beheerder", "organisator", "meekijker", "other", "anonymous")
#: Public routes of the organiser blueprint (no login): the login form and an invitation link.
PUBLIC = {"organiser.login", "organiser.invitation"}
#: Ending the session is allowed to everyone logged in; tested in test_security_sessions.py.
SESSION_ENDS = {"organiser.logout", "organiser.logout_everywhere"}
#: The organiser's own things, not an organisation's: any logged-in organiser.
OWN = {"organiser.dashboard", "organiser.account", "organiser.mailbox",
       "organiser.mailbox_mail", "organiser.mailbox_mail_html"}
#: Pages that are forms for a change: their GET needs ``run`` too.
RUN_PAGES = {"organiser.edit_meetup", "organiser.delete_meetup", "organiser.edit_theme",
             "organiser.new_follow_up"}
#: Making a meetup: ``run`` in some organisation of one's own.
RUN_SOMEWHERE = {"organiser.new_meetup"}
#: Run last: they remove what the other requests need.
LAST = ("organiser.remove_member", "organiser.delete_meetup")
#: A valid payload per organiser socket event, so that the request reaches the role check.
SAMPLES: dict[str, dict[str, Any]] = {
    "phase.set": {"phase": "round_2"},
    "timer.set": {"seconds": 60},
    "timer.extend": {"seconds": 60},
    "timer.pause": {},
    "timer.resume": {},
    "timer.clear": {},
    "message.send": {"text": "Nog vijf minuten"},
    "tables.form": {},
    "participant.move": {"participant": 1, "table": 1},
    "note.hide": {"note": "6f1c8e9a-1111-4c4c-8888-1234567890ab"},
    "note.unhide": {"note": "6f1c8e9a-1111-4c4c-8888-1234567890ab"},
    "theme.cap": {"theme": "taal", "capacity": 12},
    "plenary.show": {"position": 0},
    "retrospective.show": {"position": 0},
}
#: A's role of each test person; None: not a member of A.
ROLE_OF = {"beheerder": Role.BEHEERDER, "organisator": Role.ORGANISATOR,
           "meekijker": Role.MEEKIJKER, "other": None, "anonymous": None}
ALLOWED = {READ: {"beheerder", "organisator", "meekijker"}, RUN: {"beheerder", "organisator"},
           MANAGE: {"beheerder"}}


@dataclass
class Place:
    """Organisation A (Ada beheerder, Bea organisator, Mia meekijker) with a meetup in a series;
    organisation Z of Zed."""

    meetup: Meetup
    people: dict[str, Organiser]
    ids: dict[str, int]


def member(organisation_id: int, email: str, role: Role) -> Organiser:
    person = organisers.create_organiser(db.session, email, PASSWORD,
                                         name=email.split("@")[0].title(),
                                         own_organisation=False)
    db.session.add(Membership(organisation_id=organisation_id, organiser=person,
                              role=role.value))
    db.session.flush()
    return person


@pytest.fixture
def place(app: Flask, organiser: Organiser, meetup: Meetup) -> Place:
    follow_up = series.create_follow_up(db.session, organiser, meetup, title="Vervolg",
                                        series_name="Gooi")
    bea = member(meetup.organisation_id, "bea@example.org", Role.ORGANISATOR)
    mia = member(meetup.organisation_id, "mia@example.org", Role.MEEKIJKER)
    zed = organisers.create_organiser(db.session, "zed@example.org", PASSWORD, name="Zed")
    invitation, _ = organisations.invite(db.session, organiser, meetup.organisation,
                                         "new@example.org", "meekijker")
    db.session.commit()
    membership = db.session.scalar(select(Membership.id).where(Membership.organiser_id == bea.id))
    return Place(meetup, {"beheerder": organiser, "organisator": bea, "meekijker": mia,
                          "other": zed},
                 {"meetup_id": meetup.id, "series_id": follow_up.series_id or 0,
                  "organisation_id": meetup.organisation_id, "membership_id": membership or 0,
                  "invitation_id": invitation.id, "theme_id": meetup.themes[0].id,
                  "agreement_id": 1, "key": "taal", "fmt": "csv", "name": "none"})


def organiser_routes(app: Flask) -> list[Rule]:
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith("organiser.") or getattr(view, "organiser_only", False):
            rules.append(rule)
    return sorted(rules, key=lambda r: (r.endpoint in LAST, LAST.index(r.endpoint)
                                        if r.endpoint in LAST else 0, r.endpoint))


def needed(rule: Rule, method: str) -> str | None:
    """The action a route needs; None: any logged-in organiser."""
    if rule.endpoint in OWN:
        return None
    if rule.endpoint in RUN_SOMEWHERE:
        return "run_somewhere"
    if "organisation_id" in rule.arguments:
        return MANAGE
    if rule.endpoint in RUN_PAGES:
        return RUN
    if not rule.arguments & {"meetup_id", "series_id"}:
        pytest.fail(f"classify {rule.endpoint} ({rule.rule}) in {__file__}")
    return READ if method == "GET" else RUN


def may(role: str, action: str | None) -> bool:
    if role == "anonymous":
        return False
    if action is None:
        return True
    if action == "run_somewhere":
        return role != "meekijker"  # Mia has no organisation in which she runs meetups
    return role in ALLOWED[action]


def client_for(app: Flask, place: Place, role: str) -> FlaskClient:
    if role == "anonymous":
        return app.test_client()
    return login_over_http(app, place.people[role])


@pytest.mark.parametrize("role", ROLES)
def test_every_organiser_route_lets_through_only_what_the_role_allows(
        app: Flask, place: Place, role: str) -> None:
    client = client_for(app, place, role)
    checked = []
    for rule in organiser_routes(app):
        if rule.endpoint in PUBLIC | SESSION_ENDS:
            continue
        url = rule.build({k: place.ids[k] for k in rule.arguments}, append_unknown=False)
        assert url is not None
        path = url[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            action = needed(rule, method)
            response = client.open(path, method=method, data={})
            where = f"{role} {method} {path} ({rule.endpoint}, needs {action})"
            if role == "anonymous":
                assert response.status_code == 302, where
                assert "/organiser/login" in response.headers["Location"], where
            elif may(role, action):
                assert response.status_code != 403, where
                assert "/organiser/login" not in response.headers.get("Location", ""), where
            else:
                assert response.status_code == 403, where
            checked.append(rule.endpoint)
    assert {"organiser.live", "organiser.members", "organiser.invite", "projector.screen",
            "organiser.series_overview", "organiser.board_agreement"} <= set(checked)
    if not may(role, RUN):
        # Nothing changed: the meetup, its organisation's members, the open invitation.
        assert db.session.get(Meetup, place.meetup.id) is not None
        assert db.session.scalar(select(func.count(Membership.id)).where(
            Membership.organisation_id == place.meetup.organisation_id)) == 3


def test_every_organiser_route_is_classified(app: Flask, place: Place) -> None:
    """The lists above name only routes that exist (a renamed route is not silently open)."""
    endpoints = {rule.endpoint for rule in organiser_routes(app)}
    for name in PUBLIC | SESSION_ENDS | OWN | RUN_PAGES | RUN_SOMEWHERE | set(LAST):
        assert name in endpoints, name


# -- sockets ----------------------------------------------------------------------------------


@pytest.fixture
def evening(app: Flask, place: Place) -> Evening:
    return Evening(app, place.meetup)


def _write(sock: Any, event: str) -> dict[str, Any]:
    return sock.emit(event, {"op": new_op(), **SAMPLES[event]}, callback=True)


def test_every_organiser_event_has_a_sample() -> None:
    organiser_events = {name for name, spec in EVENTS.items() if spec.role == ORGANISER}
    assert organiser_events == set(SAMPLES), "give every organiser event a valid payload"


@pytest.mark.parametrize("role", ROLES)
def test_every_organiser_socket_event_lets_through_only_what_the_role_allows(
        app: Flask, place: Place, evening: Evening, role: str) -> None:
    client = client_for(app, place, role)
    sock = connect(app, client, place.meetup.id, "organiser")
    if not may(role, READ):
        assert not sock.is_connected()
        return
    assert sock.is_connected() and events(sock, "snapshot")
    revision = db.session.scalar(select(Meetup.revision).where(Meetup.id == place.meetup.id))
    for event in sorted(SAMPLES):
        ack = _write(sock, event)
        if may(role, RUN):
            assert ack.get("error") not in ("forbidden", "unauthorised"), (event, ack)
        else:
            assert ack == {"ok": False, "error": "forbidden", "message": ack["message"]}, event
    db.session.expire_all()
    after = db.session.scalar(select(Meetup.revision).where(Meetup.id == place.meetup.id))
    assert (after == revision) is (not may(role, RUN))
    sock.disconnect()


def test_two_organisers_run_the_live_page_together_each_named_in_the_audit(
        app: Flask, place: Place, evening: Evening) -> None:
    """Ada and Bea, two laptops: what one does reaches the other's live page; the phase log
    and the audit trail name who did it."""
    bea = connect(app, login_over_http(app, place.people["organisator"]), place.meetup.id,
                  "organiser")
    assert bea.is_connected()
    bea.get_received()
    evening.drain()
    ack = bea.emit("phase.set", {"op": new_op(), "phase": "round_2"}, callback=True)
    assert ack["ok"], ack
    [seen] = events(evening.organiser, "phase")
    assert seen["phase"] == "round_2" and seen["seq"] == ack["seq"]
    note = bea.emit("message.send", {"op": new_op(), "text": "Bea hier"}, callback=True)
    assert note["ok"]
    assert [m["text"] for m in events(evening.organiser, "message")] == ["Bea hier"]
    again = evening.organiser.emit("phase.set", {"op": new_op(), "phase": "round_3"},
                                   callback=True)
    assert again["ok"]
    # Both windows saw the same sequence of phases (each its own change too).
    assert [p["phase"] for p in events(bea, "phase")] == ["round_2", "round_3"]
    assert [p["phase"] for p in events(evening.organiser, "phase")] == ["round_3"]
    moved = bea.emit("participant.move", {"op": new_op(), "participant": evening.ids["anna"],
                                          "table": db.session.get(
                                              type(evening.people["carla"].table),
                                              evening.table_ids["carla"]).number},
                     callback=True)
    assert moved["ok"], moved
    changes = db.session.execute(select(PhaseChange.to_phase, Organiser.name).join(
        Organiser, PhaseChange.organiser_id == Organiser.id).order_by(PhaseChange.id)).all()
    assert [(str(p), n) for p, n in changes][-2:] == [("round_2", "Bea"), ("round_3", "Ada")]
    audit = db.session.execute(select(AuditEntry.action, Organiser.name).join(
        Organiser, AuditEntry.organiser_id == Organiser.id)
        .where(AuditEntry.action == "participant.move")).all()
    assert audit == [("participant.move", "Bea")]


def test_a_role_changed_or_removed_counts_at_once_on_an_open_socket(
        app: Flask, place: Place, evening: Evening) -> None:
    bea_client = login_over_http(app, place.people["organisator"])
    bea = connect(app, bea_client, place.meetup.id, "organiser")
    assert bea.is_connected()
    assert _write(bea, "message.send")["ok"]
    assert "Je kijkt mee" not in bea_client.get(
        f"/organiser/meetups/{place.meetup.id}/live").get_data(as_text=True)
    ada = login_over_http(app, place.people["beheerder"])
    organisation_id, membership_id = place.ids["organisation_id"], place.ids["membership_id"]
    response = ada.post(f"/organiser/organisations/{organisation_id}/members/{membership_id}"
                        "/role", data={"role": "meekijker"})
    assert response.status_code == 302
    assert _write(bea, "message.send")["error"] == "forbidden"
    assert bea_client.get(f"/organiser/meetups/{place.meetup.id}/edit").status_code == 403
    watching = bea_client.get(f"/organiser/meetups/{place.meetup.id}/live")
    assert watching.status_code == 200 and "Je kijkt mee als meekijker" in \
        watching.get_data(as_text=True)
    response = ada.post(f"/organiser/organisations/{organisation_id}/members/{membership_id}"
                        "/remove")
    assert response.status_code == 302
    # Her sockets are closed and her cookie no longer works: at once, no new request needed.
    assert not bea.is_connected()
    response = bea_client.get(f"/organiser/meetups/{place.meetup.id}/live")
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
    again = connect(app, bea_client, place.meetup.id, "organiser")
    assert not again.is_connected()


def test_the_last_beheerder_cannot_leave_or_be_demoted(app: Flask, place: Place) -> None:
    ada = login_over_http(app, place.people["beheerder"])
    own = db.session.scalar(select(Membership.id).where(
        Membership.organiser_id == place.people["beheerder"].id))
    organisation_id = place.ids["organisation_id"]
    for suffix, data in (("role", {"role": "organisator"}), ("remove", {})):
        response = ada.post(f"/organiser/organisations/{organisation_id}/members/{own}/{suffix}",
                            data=data, follow_redirects=True)
        assert "minstens één beheerder" in response.get_data(as_text=True)
    assert db.session.get(Membership, own).role == "beheerder"


def test_a_meekijker_is_offered_no_changes_on_the_meetup_page(app: Flask, place: Place) -> None:
    edit = f"/organiser/meetups/{place.meetup.id}/edit"
    for role, offered in (("meekijker", False), ("organisator", True)):
        page = client_for(app, place, role).get(f"/organiser/meetups/{place.meetup.id}")
        assert page.status_code == 200
        assert (edit in page.get_data(as_text=True)) is offered, role


def test_the_members_page_speaks_english_too(app: Flask, place: Place) -> None:
    ada = login_over_http(app, place.people["beheerder"])
    ada.get("/lang/en")
    page = ada.get(f"/organiser/organisations/{place.ids['organisation_id']}/members")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Members of Ada" in html and "Make an invitation link" in html
    assert "Viewer" in html and "Leden van" not in html
