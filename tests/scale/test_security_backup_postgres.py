"""``meetup backup`` / ``meetup restore`` on PostgreSQL: pg_dump and pg_restore (issue 14, 8)."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Note, Phase
from meetup.services import board, joining, meetups, organisers, phases, tables
from tests.conftest import make_app


def test_backup_and_restore_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        upgrade()
        org = organisers.create_organiser(db.session, "pg@example.org", "a long password")
        meetup = meetups.create_meetup(db.session, org, title="Meetup Hilversum")
        person, _token = joining.join(db.session, meetup, joining.JoinRequest(
            "Anna Jansen", "leerkracht_po", "OBS De Regenboog"))
        joining.choose_theme(db.session, person, "taal")
        db.session.commit()
        tables.form_tables(db.session, meetup, org)
        phases.set_phase(db.session, meetup, Phase.ROUND_1, org)
        board.create_note(db.session, person, uuid.uuid4(), "happens", "bewaard")
        db.session.commit()
        runner = app.test_cli_runner()
        target = tmp_path / "avond.pgdump"
        made = runner.invoke(args=["backup", str(target)])
        assert made.exit_code == 0, made.output
        board.create_note(db.session, person, uuid.uuid4(), "happens", "na de backup")
        db.session.commit()
        db.session.remove()
        done = runner.invoke(args=["restore", "--yes", str(target)])
        assert done.exit_code == 0, done.output
        texts = set(db.session.scalars(select(Note.text)))
        assert texts == {"bewaard"}
        db.session.remove()
        db.engine.dispose()


def test_a_running_worker_on_postgres_keeps_rolling_backups(tmp_path: Path,
                                                              postgres_url: str) -> None:
    """``meetup serve`` dumps the evening every BACKUP_INTERVAL seconds on PostgreSQL too
    (pg_dump is a child process; gevent cannot start one from its thread pool, where the
    SQLite backup runs)."""
    import time

    from tests.servers import live_server

    folder = tmp_path / "backups"
    with live_server(tmp_path, MEETUP_DATABASE_URL=postgres_url, MEETUP_BACKUP_INTERVAL="1",
                     MEETUP_BACKUP_DIR=str(folder)) as server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(folder.glob("*.pgdump")):
            time.sleep(0.2)
        dumps = list(folder.glob("*.pgdump"))
        log = server.log()
    assert dumps, log[-3000:]
    assert dumps[0].read_bytes().startswith(b"PGDMP"), "a pg_dump custom-format file"
    assert "Traceback" not in log, log[-3000:]
