"""The migrations build exactly the models, on an empty database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from meetup.extensions import db
from meetup.models.types import render_alembic_item
from tests.conftest import make_app


def test_upgrade_on_empty_database_matches_the_models(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_item": render_alembic_item},
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"meetups", "themes", "participants", "tables", "notes", "votes", "agreements",
                "commitments", "agreement_updates", "phase_changes", "audit_entries",
                "operations", "organisers"} <= tables
        db.engine.dispose()


def test_downgrade_removes_everything_and_upgrade_again_works(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("select count(*) from meetups")).scalar() == 0
        db.engine.dispose()


# -- issue 25: existing single-organiser data becomes an organisation of one -----------------

_NOW = "2026-11-01 10:00:00+00:00"
_INSERT_MEETUP = text(
    "INSERT INTO meetups (organiser_id, title, city, venue, welcome, join_token, short_code, "
    "phase, phase_changed_at, broadcast_message, plenary_position, revision, table_size, "
    "votes_per_person, settings, created_at, updated_at, series_id) VALUES (:organiser, "
    ":title, 'Hilversum', '', '', :title, :code, 'closed', :now, '', 0, 0, 6, 3, '{}', :now, "
    ":now, :series)")


def test_upgrade_with_data_puts_every_organiser_in_an_organisation_of_one(
        tmp_path: Path, database_url: str) -> None:
    """Two organisers with meetups and a series at 0006; after 0007 each is beheerder of their
    own organisation, which owns their meetups and series; nobody sees the other's; a new
    account gets a fresh organisation (PostgreSQL's id sequence follows the copied ids)."""
    from meetup.models import Meetup, Organiser, Role, Series
    from meetup.services import access, meetups, organisers

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade(revision="0006_meetup_series")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO organisers (email, name, password_hash, created_at) VALUES "
                "('ada@example.org', 'Ada', 'x', :now), ('bob@example.org', '', 'x', :now)"),
                {"now": _NOW})
            ids = dict(connection.execute(text("select email, id from organisers")).all())
            ada_id, bob_id = ids["ada@example.org"], ids["bob@example.org"]
            connection.execute(text(
                "INSERT INTO series (organiser_id, name, created_at) VALUES (:o, 'Gooi', :now)"),
                {"o": ada_id, "now": _NOW})
            series_id = connection.execute(text("select id from series")).scalar()
            for organiser, title, series in ((ada_id, "Hilversum 1", series_id),
                                             (ada_id, "Hilversum 2", series_id),
                                             (bob_id, "Utrecht", None)):
                connection.execute(_INSERT_MEETUP, {"organiser": organiser, "title": title,
                                                    "code": title[-6:], "now": _NOW,
                                                    "series": series})
        upgrade()
        with db.engine.connect() as connection:
            names = dict(connection.execute(text("select id, name from organisations")).all())
            assert names == {ada_id: "Ada", bob_id: "bob@example.org"}
            assert sorted(connection.execute(text(
                "select organisation_id, organiser_id, role from memberships")).all()) == \
                sorted([(ada_id, ada_id, "beheerder"), (bob_id, bob_id, "beheerder")])
        session = db.session
        ada, bob = session.get(Organiser, ada_id), session.get(Organiser, bob_id)
        assert ada is not None and bob is not None
        assert sorted(m.title for m in meetups.meetups_of(session, ada)) == \
            ["Hilversum 1", "Hilversum 2"]
        bobs = meetups.meetups_of(session, bob)
        assert [m.title for m in bobs] == ["Utrecht"]
        assert access.require(session, ada, session.get(Series, series_id), access.MANAGE) \
            is Role.BEHEERDER
        hilversum = session.scalar(text("select id from meetups where title = 'Hilversum 1'"))
        assert not access.may(session, bob, session.get(Meetup, hilversum), access.READ)
        assert access.may(session, bob, bobs[0], access.RUN)
        carol = organisers.create_organiser(session, "carol@example.org",
                                            "a long sentence of words", name="Carol")
        created = meetups.create_meetup(session, carol, title="Amersfoort")
        session.commit()
        assert created.organisation_id not in (ada_id, bob_id)
        assert [m.title for m in meetups.meetups_of(session, carol)] == ["Amersfoort"]
        session.remove()
        db.engine.dispose()
