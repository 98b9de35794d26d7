"""Shared fixtures: an app on a fresh SQLite file, a client, an organiser and a meetup."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from flask import Flask
from flask.testing import FlaskClient

from meetup import create_app
from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.realtime import allowance, throttle
from meetup.services import meetups, organisers
from tests.db_servers import postgres_server, postgres_url, redis_url  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "SOCKETIO_ASYNC_MODE": "threading",
        "SERVER_NAME": "meetup.test",
    }
    config.update(overrides)
    app = create_app(config)
    # The fixtures keep one app context open across requests, so Flask-Babel's per-context
    # locale cache would carry over from one request to the next; real requests never share.
    app.before_request(flask_babel.refresh)
    return app


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite by default; a fresh PostgreSQL database with MEETUP_TEST_DATABASE=postgres.

    ``make test`` runs the domain and real-time tests a second time on PostgreSQL, so what
    SQLite forgives (grouping, locking, types) cannot hide there.
    """
    if os.environ.get("MEETUP_TEST_DATABASE") == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()  # tests only; real databases are built by the migrations
        yield app
        # Counters still waiting to be sent belong to this app; the next test's app reuses
        # the one Socket.IO instance and must not receive them.
        throttle.counts_throttle.reset()
        allowance.allowances.reset()  # per-person allowances are keyed by id(app)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def organiser(app: Flask) -> Organiser:
    org = organisers.create_organiser(db.session, "ada@example.org", PASSWORD, name="Ada")
    db.session.commit()
    return org


@pytest.fixture
def meetup(organiser: Organiser) -> Meetup:
    from datetime import UTC, datetime

    m = meetups.create_meetup(
        db.session,
        organiser,
        title="Meetup Hilversum",
        city="Hilversum",
        venue="Bibliotheek",
        starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC),
    )
    db.session.commit()
    return m


@pytest.fixture
def logged_in(client: FlaskClient, organiser: Organiser) -> FlaskClient:
    response = client.post(
        "/organiser/login", data={"email": organiser.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client
