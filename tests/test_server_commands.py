"""The commands a server installation runs (scripts/install-server.sh and its units):
the nightly backup that keeps 14 days, the live-evening check before an upgrade, and the first
organiser account made only once."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Organiser, Phase
from meetup.services import backup, live, meetups, phases
from meetup.services.operations import bump

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_nightly_backups_are_kept_fourteen_days(app: Flask, organiser: Organiser,
                                               tmp_path: Path) -> None:
    meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    folder = tmp_path / "nightly"
    made = [backup.nightly_backup(url, folder, 14, NOW - timedelta(days=day))[0]
            for day in range(20, -1, -1)]
    left = sorted(p.name for p in folder.iterdir())
    # Today's and the 14 nights before it stay; the older six are gone.
    assert left == sorted(p.name for p in made[-15:])
    with sqlite3.connect(made[-1]) as copy:
        assert copy.execute("select title from meetups").fetchall() == [("Meetup Hilversum",)]


def test_nightly_backup_command_writes_into_the_folder(app: Flask, tmp_path: Path) -> None:
    result = run(app, "nightly-backup", str(tmp_path / "b"), "--keep-days", "14")
    assert result.exit_code == 0, result.output
    assert [p.name.startswith("nightly-") for p in (tmp_path / "b").iterdir()] == [True]


def test_a_meetup_in_a_round_is_live_and_a_closed_or_old_one_is_not(
        app: Flask, organiser: Organiser) -> None:
    running = meetups.create_meetup(db.session, organiser, title="Vanavond")
    phases.set_phase(db.session, running, Phase.ROUND_1)
    bump(db.session, running)
    closed = meetups.create_meetup(db.session, organiser, title="Gesloten")
    phases.set_phase(db.session, closed, Phase.CLOSED)
    prepared = meetups.create_meetup(db.session, organiser, title="Volgende maand",
                                     starts_at=datetime.now(UTC) + timedelta(days=30))
    db.session.commit()
    assert [m.title for m in live.live_meetups(db.session)] == ["Vanavond"]
    # Three hours after the last write and far from its start, it is no longer live ...
    assert live.live_meetups(db.session, datetime.now(UTC) + timedelta(hours=3)) == []
    # ... but a meetup is live from two hours before its start.
    later = prepared.starts_at - timedelta(hours=1)
    assert [m.title for m in live.live_meetups(db.session, later)] == ["Volgende maand"]


def test_check_live_exits_with_status_3_during_an_evening(app: Flask,
                                                         organiser: Organiser) -> None:
    result = run(app, "check-live")
    assert (result.exit_code, result.output.strip()) == (0, "No evening is running.")
    running = meetups.create_meetup(db.session, organiser, title="Vanavond")
    phases.set_phase(db.session, running, Phase.VOTING)
    db.session.commit()
    result = run(app, "check-live")
    assert result.exit_code == 3
    assert "Vanavond" in result.output and "voting" in result.output


def test_the_first_organiser_is_created_only_once(app: Flask) -> None:
    first = run(app, "create-organiser", "beheer@example.org", "--only-if-none")
    assert first.exit_code == 0, first.output
    assert len(re.findall(r"Password \(shown once\): (\S+)", first.output)) == 1
    again = run(app, "create-organiser", "beheer@example.org", "--only-if-none")
    assert again.exit_code == 0, again.output
    assert "Password" not in again.output
    assert db.session.scalar(select(func.count(Organiser.id))) == 1
    assert db.session.scalar(select(func.count(Meetup.id))) == 0
