"""Connecting: identity only from the signed cookie, the right rooms, a snapshot every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from meetup.extensions import db, socketio
from meetup.models import Meetup, Organiser, Phase
from meetup.services import meetups
from tests.conftest import make_app
from tests.realtime_helpers import (
    Evening,
    choose,
    connect,
    events,
    form_tables,
    join_over_http,
    login_over_http,
    make_organiser,
    new_op,
    set_phase,
)


def test_a_joined_phone_connects_and_gets_its_snapshot(app: Flask, meetup: Meetup) -> None:
    client, anna = join_over_http(app, meetup, "Anna de Vries")
    sock = connect(app, client, meetup.id)
    assert sock.is_connected()
    [snapshot] = events(sock, "snapshot")
    assert snapshot["as"] == "participant"
    assert snapshot["me"]["id"] == anna.id
    assert snapshot["me"]["display_name"] == "Anna de Vries"
    assert snapshot["meetup"]["id"] == meetup.id
    assert snapshot["seq"] == meetup.revision


def test_every_reconnect_gets_a_fresh_snapshot(app: Flask, meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    sock = connect(app, client, meetup.id)
    assert len(events(sock, "snapshot")) == 1
    sock.disconnect()
    set_phase(meetup, Phase.THEME_CHOICE)
    sock.connect(auth={"meetup": meetup.id, "as": "participant"})
    [snapshot] = events(sock, "snapshot")
    assert snapshot["meetup"]["phase"] == "theme_choice"


def test_without_the_cookie_a_socket_is_refused(app: Flask, meetup: Meetup) -> None:
    assert not connect(app, app.test_client(), meetup.id).is_connected()
    assert not connect(app, None, meetup.id).is_connected()


def test_a_cookie_of_one_meetup_does_not_open_another(app: Flask, meetup: Meetup,
                                                      organiser: Organiser) -> None:
    other = meetups.create_meetup(db.session, organiser, title="Meetup Bussum")
    db.session.commit()
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    assert not connect(app, client, other.id).is_connected()
    assert not connect(app, client, 999_999).is_connected()


def test_malformed_auth_is_refused(app: Flask, meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    assert connect(app, client, meetup.id).is_connected()
    for auth in (None, {}, {"meetup": "twelve"}, {"meetup": meetup.id, "as": "admin"},
                 {"meetup": True}, {"meetup": [meetup.id]}, "meetup"):
        refused = socketio.test_client(app, flask_test_client=client, auth=auth)
        assert not refused.is_connected(), auth


def test_a_participant_cannot_connect_as_organiser_or_projector(app: Flask,
                                                               meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    assert not connect(app, client, meetup.id, "organiser").is_connected()
    assert not connect(app, client, meetup.id, "projector").is_connected()


def test_the_organiser_and_projector_connect_to_their_own_meetup_only(
        app: Flask, meetup: Meetup) -> None:
    own = login_over_http(app, meetup.organiser)
    organiser_sock = connect(app, own, meetup.id, "organiser")
    assert organiser_sock.is_connected()
    [snapshot] = events(organiser_sock, "snapshot")
    assert snapshot["as"] == "organiser" and "notes" in snapshot and "tables" in snapshot
    projector = connect(app, own, meetup.id, "projector")
    [snapshot] = events(projector, "snapshot")
    assert snapshot["as"] == "projector"

    stranger = login_over_http(app, make_organiser("bob@example.org"))
    assert not connect(app, stranger, meetup.id, "organiser").is_connected()
    assert not connect(app, stranger, meetup.id, "projector").is_connected()


def test_organiser_events_are_refused_to_phones_and_the_projector(app: Flask,
                                                                 meetup: Meetup) -> None:
    evening = Evening(app, meetup)
    for sock in (evening["anna"], evening.projector):
        ack = sock.emit("phase.set", {"op": new_op(), "phase": "closed"}, callback=True)
        assert ack["ok"] is False and ack["error"] == "forbidden"
        assert ack["message"] == "Dat mag je niet doen."
    db.session.expire_all()
    assert meetup.phase is Phase.ROUND_1


def test_participant_events_are_refused_to_the_organiser(app: Flask, meetup: Meetup) -> None:
    evening = Evening(app, meetup)
    ack = evening.organiser.emit("note.create", {"op": new_op(), "note": new_op(),
                                                 "round": "happens", "text": "Hoi"},
                                 callback=True)
    assert ack == {"ok": False, "error": "forbidden", "message": "Dat mag je niet doen."}


def test_a_phone_is_put_in_its_table_room_after_tables_are_formed(app: Flask,
                                                                 meetup: Meetup) -> None:
    client_a, anna = join_over_http(app, meetup, "Anna de Vries")
    client_b, bram = join_over_http(app, meetup, "Bram Bakker", role="jeugdwerk")
    choose(anna, "taal")
    choose(bram, "taal")
    anna_sock = connect(app, client_a, meetup.id)
    bram_sock = connect(app, client_b, meetup.id)
    organiser = connect(app, login_over_http(app, meetup.organiser), meetup.id, "organiser")
    for sock in (anna_sock, bram_sock, organiser):
        sock.get_received()

    ack = organiser.emit("tables.form", {"op": new_op()}, callback=True)
    assert ack["ok"] is True and ack["tables"] == 1
    # Everyone is told to sync; syncing puts the phone in its table's room.
    assert events(anna_sock, "resync") == [{"seq": ack["seq"]}]
    sync = anna_sock.emit("sync", {}, callback=True)
    assert sync["ok"] is True and sync["snapshot"]["table"]["number"] == 1
    bram_sock.emit("sync", {}, callback=True)
    set_phase(meetup, Phase.ROUND_1)
    bram_sock.get_received()
    anna_sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "happens",
                                   "text": "Voorleesouders op school"}, callback=True)
    [note] = events(bram_sock, "note")
    assert note["note"]["text"] == "Voorleesouders op school"


def test_a_phone_seated_before_connecting_joins_its_table_room_on_connect(
        app: Flask, meetup: Meetup) -> None:
    client_a, anna = join_over_http(app, meetup, "Anna de Vries")
    client_b, bram = join_over_http(app, meetup, "Bram Bakker", role="jeugdwerk")
    choose(anna, "taal")
    choose(bram, "taal")
    form_tables(meetup)
    set_phase(meetup, Phase.ROUND_1)
    anna_sock = connect(app, client_a, meetup.id)
    bram_sock = connect(app, client_b, meetup.id)
    bram_sock.get_received()
    anna_sock.emit("note.create", {"op": new_op(), "note": new_op(), "round": "happens",
                                   "text": "Taalcafé"}, callback=True)
    assert [n["note"]["text"] for n in events(bram_sock, "note")] == ["Taalcafé"]


def test_a_phone_that_dropped_hears_nothing_and_once_back_hears_its_table_once(
        app: Flask, meetup: Meetup) -> None:
    client_a, anna = join_over_http(app, meetup, "Anna de Vries")
    client_b, bram = join_over_http(app, meetup, "Bram Bakker", role="jeugdwerk")
    choose(anna, "taal")
    choose(bram, "taal")
    form_tables(meetup)
    set_phase(meetup, Phase.ROUND_1)
    anna_sock = connect(app, client_a, meetup.id)
    bram_sock = connect(app, client_b, meetup.id)
    bram_sock.get_received()
    bram_sock.disconnect()
    assert not bram_sock.is_connected()

    def write(text: str) -> None:
        ack = anna_sock.emit("note.create", {"op": new_op(), "note": new_op(),
                                             "round": "happens", "text": text}, callback=True)
        assert ack["ok"] is True

    write("Taalcafé")
    bram_sock.connect(auth={"meetup": meetup.id, "as": "participant"})
    [snapshot] = events(bram_sock, "snapshot")
    assert [n["text"] for n in snapshot["notes"]] == ["Taalcafé"]
    assert snapshot["notes"][0]["mine"] is False and snapshot["notes"][0]["my_votes"] == 0
    write("Voorleesouders")
    assert [n["note"]["text"] for n in events(bram_sock, "note")] == ["Voorleesouders"]


def test_messages_follow_the_language_of_the_page(app: Flask, meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    dutch = connect(app, client, meetup.id)
    english = connect(app, client, meetup.id, query_string="lang=en")
    payload = {"op": new_op(), "note": new_op(), "round": "happens", "text": "Hoi"}
    assert dutch.emit("note.create", payload, callback=True)["message"] == \
        "Je hebt nog geen tafel."
    payload["op"] = new_op()
    assert english.emit("note.create", payload, callback=True)["message"] == \
        "You do not have a table yet."


def test_only_the_own_origin_may_open_a_socket(app: Flask) -> None:
    client = app.test_client()
    url = "/socket.io/?EIO=4&transport=polling"
    own = client.get(url, headers={"Origin": "http://meetup.test"})
    assert own.status_code == 200
    foreign = client.get(url, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 400


def test_behind_the_proxy_only_the_public_origin_may_open_a_socket(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Production: nginx in front, ``MEETUP_PUBLIC_URL`` set. Pages are served from the
    public address, so that origin connects; any other origin (including the address the
    app sees behind the proxy, or the public host over plain http) is refused."""
    monkeypatch.setenv("MEETUP_PUBLIC_URL", "https://meetup.voorbeeld.nl/")
    monkeypatch.setenv("MEETUP_PROXY_COUNT", "1")
    behind = make_app(tmp_path)
    with behind.app_context():
        db.create_all()
    client = behind.test_client()
    url = "/socket.io/?EIO=4&transport=polling"
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "meetup.voorbeeld.nl",
               "X-Forwarded-For": "192.0.2.7"}
    own = client.get(url, headers={**proxied, "Origin": "https://meetup.voorbeeld.nl"})
    assert own.status_code == 200
    assert own.get_data(as_text=True).startswith("0{")  # the Engine.IO open packet
    for foreign in ("https://evil.example", "http://meetup.voorbeeld.nl",
                    "https://meetup.voorbeeld.nl.evil.example", "http://meetup.test",
                    "null"):
        refused = client.get(url, headers={**proxied, "Origin": foreign})
        assert refused.status_code == 400, foreign
    with behind.app_context():
        db.engine.dispose()


def test_an_unknown_event_is_refused_instead_of_left_unanswered(app: Flask,
                                                                 meetup: Meetup) -> None:
    client, _anna = join_over_http(app, meetup, "Anna de Vries")
    sock = connect(app, client, meetup.id)
    ack = sock.emit("note.explode", {"op": new_op()}, callback=True)
    assert ack["ok"] is False and ack["error"] == "invalid"
    assert sock.emit("sync", {}, callback=True)["ok"] is True


def test_a_postgresql_worker_waits_for_a_database_connection_instead_of_refusing_phones():
    """2,000 phones reconnecting to one worker: the default pool (15 connections, 30 s) refused
    hundreds of them; the worker now keeps 20 and lets a connect wait up to a minute."""
    from meetup.config import build_config

    config = build_config("/tmp/meetup-instance-unused", {
        "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/meetup"})
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] + options["max_overflow"] == 20
    assert options["pool_timeout"] == 60
    sqlite = build_config("/tmp/meetup-instance-unused", {
        "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3"})
    assert "pool_size" not in sqlite["SQLALCHEMY_ENGINE_OPTIONS"]
