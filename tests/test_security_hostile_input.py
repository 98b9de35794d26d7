"""No 500 and no ``server_error`` for any input (issue 14, point 5).

The attacks that answered 500 or ``server_error``: an id of 20 digits in a URL and in the
socket's ``auth.meetup``, a theme capacity of 10^20, a meetup date of 0001-01-01; and NUL
bytes, which SQLite stores but PostgreSQL refuses. Below, every route of ``app.url_map`` and
every socket event is walked with hostile ids and values, as a logged-in organiser and as a
joined phone; any 500 or ``server_error`` fails the test.
"""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.models import Meetup, Phase, Theme
from meetup.realtime.handlers import EVENTS
from tests.realtime_helpers import Evening, connect, set_phase

HUGE = "9" * 20
HOSTILE_SEGMENTS = [HUGE, "-1", "0", "%00", "x" * 300, "..%2F..", "%27%20OR%201%3D1"]
HOSTILE_VALUES = ["\x00", "1" + "0" * 20, "-" + HUGE, "0001-01-01", "9999-12-31", "25:99",
                  "x" * 6000, "1e400", ""]
FORM_FIELDS = ["title", "city", "venue", "date", "start_time", "welcome", "table_size",
               "votes_per_person", "capacity", "subject", "question", "introduction",
               "examples", "directions-0-code", "directions-0-title", "reading_links-0-url",
               "email", "password", "current", "new", "display_name", "role", "organisation",
               "code", "status", "note", "confirm", "code_before_opening"]


def valid_values(meetup: Meetup) -> dict[str, str]:
    return {"meetup_id": str(meetup.id), "key": "taal", "token": meetup.join_token,
            "code": meetup.short_code, "short_code": meetup.short_code, "fmt": "csv"}


def urls_for(app: Flask, meetup: Meetup) -> list[tuple[str, str]]:
    """(method, path) for every rule: with real values, and with each argument hostile."""
    found: list[tuple[str, str]] = []
    good = valid_values(meetup)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted((rule.methods or set()) & {"GET", "POST"})
        args = sorted(rule.arguments)
        variants = [dict(good)]
        for name in args:
            for bad in HOSTILE_SEGMENTS:
                variants.append({**good, name: bad})
        for values in variants:
            path = rule.rule
            for name in args:
                path = re.sub(rf"<(?:[a-z]+:)?{name}>", values.get(name, "x"), path)
            for method in methods:
                found.append((method, path))
    return found


def test_every_route_survives_hostile_ids_and_values(app: Flask, logged_in: FlaskClient,
                                                     meetup: Meetup) -> None:
    app.config.update(RATELIMIT_ENABLED=False)
    failures: list[str] = []
    anonymous = app.test_client()
    for (method, path), client in itertools.product(urls_for(app, meetup),
                                                    (logged_in, anonymous)):
        if method == "GET":
            attempts: list[dict[str, Any]] = [{}, {"query_string": {"lang": "\x00",
                                                                     "next": "//evil"}}]
        else:
            attempts = [{"data": {name: value for name in FORM_FIELDS}}
                        for value in HOSTILE_VALUES]
        for extra in attempts:
            if path.endswith("/logout") or path.endswith("/logout-everywhere"):
                continue  # would end the walker's own session
            response = client.open(path, method=method, **extra)
            if response.status_code >= 500:
                failures.append(f"{method} {path} {str(extra)[:80]} -> "
                                f"{response.status_code}")
    assert failures == []


def test_the_reported_cases_get_clear_answers(app: Flask, logged_in: FlaskClient,
                                              meetup: Meetup) -> None:
    assert logged_in.get(f"/organiser/meetups/{HUGE}").status_code == 404
    assert logged_in.get(f"/projector/{HUGE}").status_code == 404
    theme = db.session.query(Theme).filter_by(meetup_id=meetup.id, key="taal").one()
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/themes/taal", data={
        "title": theme.title, "question": theme.question, "capacity": str(10**20)})
    assert response.status_code == 200
    assert "hoogstens 10000" in response.get_data(as_text=True) or \
        "maximaal 10000" in response.get_data(as_text=True)
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/edit", data={
        "title": "Meetup", "date": "0001-01-01", "start_time": "19:00", "table_size": "6",
        "votes_per_person": "3"})
    assert response.status_code == 200
    assert "Vul een datum in tussen 2000 en 2100" in response.get_data(as_text=True)
    response = logged_in.post(f"/organiser/meetups/{meetup.id}/edit", data={
        "title": "Nul\x00byte", "table_size": "6", "votes_per_person": "3"})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


def test_a_huge_meetup_id_in_the_socket_auth_is_refused_not_a_server_error(
        app: Flask, meetup: Meetup) -> None:
    for value in (int(HUGE), HUGE, -int(HUGE), 2**63, "1\x00"):
        sock = connect(app, None, value)  # type: ignore[arg-type]
        assert not sock.is_connected()


SOCKET_KEYS = ["note", "agreement", "vote", "round", "text", "theme", "phase", "seconds",
               "fields", "participant", "table", "position", "capacity", "key", "message",
               "hidden", "status", "to_table", "theme_key"]
SOCKET_VALUES: list[Any] = [
    10**20, -(10**20), 2**63, "\x00", "x" * 10000, None, [], {}, 1.5e308, True,
    "0001-01-01", str(uuid.uuid4()), {"due_date": "0001-01-01"}, {"what": "\x00"},
    {"due_date": "9999-12-31", "partners": ["\x00"]}, [[[[[[[[[[["deep"]]]]]]]]]]],
]


@pytest.mark.parametrize("phase", [Phase.ROUND_1, Phase.AGREEMENTS, Phase.PLENARY])
def test_every_socket_event_survives_hostile_payloads(app: Flask, meetup: Meetup,
                                                      phase: Phase) -> None:
    app.config.update(SOCKET_WRITE_BURST=10**6, SOCKET_WRITE_RATE=10**6)
    evening = Evening(app, meetup)
    set_phase(meetup, phase)
    evening.drain()
    failures: list[str] = []
    senders = {"participant": evening["anna"], "organiser": evening.organiser}
    draft = str(uuid.uuid4())
    evening["anna"].emit("agreement.create", {"op": str(uuid.uuid4()), "agreement": draft},
                         callback=True)
    for name, spec in [*EVENTS.items(), ("sync", None), ("no.such.event", None)]:
        role = spec.role if spec is not None else "participant"
        sock = senders[role]
        payloads: list[Any] = [None, [], "x", 10**20, {"op": "\x00"}, {"op": HUGE}]
        for value in SOCKET_VALUES:
            payloads.append({"op": str(uuid.uuid4()), **{key: value for key in SOCKET_KEYS}})
            payloads.append({"op": str(uuid.uuid4()), "agreement": draft, "note": draft,
                             "fields": value if isinstance(value, dict) else {"what": value},
                             "seconds": value, "phase": value, "text": value})
        for payload in payloads:
            ack = sock.emit(name, payload, callback=True)
            if isinstance(ack, dict) and ack.get("error") == "server_error":
                failures.append(f"{name} {str(payload)[:100]}")
    assert failures == []
