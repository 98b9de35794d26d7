"""The same schema and domain on PostgreSQL, the scale-out database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from meetup.extensions import db
from meetup.models import Meetup
from meetup.models.types import render_alembic_item
from meetup.services import joining, meetups, organisers
from tests.conftest import make_app


def test_upgrade_on_an_empty_postgres_database_matches_the_models(tmp_path: Path,
                                                                  postgres_url: str) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_item": render_alembic_item})
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()


def test_preparing_and_joining_work_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        upgrade()
        org = organisers.create_organiser(db.session, "pg@example.org", "a long password")
        meetup = meetups.create_meetup(db.session, org, title="Meetup Hilversum")
        person, token = joining.join(db.session, meetup, joining.JoinRequest(
            "Şükrü Yılmaz", "jeugdwerk", "Jongerenwerk Hilversum"))
        joining.choose_theme(db.session, person, "taal")
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.get(Meetup, meetup.id)
        assert [t.key for t in loaded.themes] == ["taal", "overgangen", "zorg"]
        found = joining.participant_for_token(db.session, meetup.id, token)
        assert found is not None and found.display_name == "Şükrü Yılmaz"
        assert found.theme.key == "taal"
        assert found.joined_at.tzinfo is not None
        db.session.remove()
        db.engine.dispose()
