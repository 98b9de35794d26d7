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
