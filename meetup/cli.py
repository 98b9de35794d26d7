"""The ``meetup`` command line: a thin face over the services.

``meetup db upgrade`` (Flask-Migrate), ``meetup create-organiser``, ``meetup seed-demo``,
``meetup serve`` and ``meetup demo`` (what ``make run`` calls), ``meetup backup`` and
``meetup restore``. ``meetup serve`` also keeps rolling backups (see :func:`housekeeping`).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import select

from meetup import create_app
from meetup.extensions import db

log = logging.getLogger(__name__)


def _make_app() -> Flask:
    return create_app()


cli = FlaskGroup(create_app=_make_app, add_version_option=False,
                 help="Run and prepare a Meetup Kansenongelijkheid.")


def register_cli(app: Flask) -> None:
    for command in (create_organiser_command, seed_demo_command, serve_command, demo_command,
                    urls_command, export_command, backup_command, restore_command,
                    anonymise_command):
        app.cli.add_command(command)
    from meetup.cli_doctor import doctor_command
    from meetup.cli_mail import send_mail_command

    app.cli.add_command(doctor_command)
    app.cli.add_command(send_mail_command)
    from meetup import cli_server  # a server installation's commands (install-server.sh)

    for command in cli_server.COMMANDS:
        app.cli.add_command(command)


@click.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="Name shown on reports.")
@click.option("--password", default=None,
              help="Password (at least 10 characters); generated and printed when left out.")
@click.option("--only-if-none", is_flag=True,
              help="Do nothing when any organiser account exists (for install scripts).")
def create_organiser_command(email: str, name: str, password: str | None,
                             only_if_none: bool) -> None:
    """Create an organiser account that can log in at /organiser."""
    from meetup.services import organisers
    from meetup.services.errors import DomainError

    if only_if_none and organisers.any_organiser(db.session):
        click.echo("An organiser account exists already; none created.")
        return
    generated = password is None
    password = password or organisers.generate_password()
    try:
        organiser = organisers.create_organiser(db.session, email, password, name=name)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Organiser {organiser.email} created.")
    if generated:
        click.echo(f"Password (shown once): {password}")


def seed_demo(app: Flask, *, history: bool = True) -> tuple[str, str] | None:
    """Seed the demo if the database holds no meetup: the demo organiser, an earlier evening
    (closed, with agreements and their follow-up) and tonight's "Meetup Hilversum" that
    follows on from it (:mod:`meetup.services.demo`); without ``history`` only the organiser
    and tonight's meetup (a venue laptop).

    Returns (e-mail, password) when it seeded, None when there was data already.
    """
    from meetup.services import demo

    seeded = demo.seed(db.session, history=history)
    if seeded is None:
        return None
    db.session.commit()
    return seeded.email, seeded.password


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Seed the demo meetup and organiser if the database is empty."""
    result = seed_demo(current_app._get_current_object())  # type: ignore[attr-defined]
    if result is None:
        click.echo("The database already holds meetups; nothing seeded.")
    else:
        click.echo(f"Demo organiser: {result[0]}  password (shown once): {result[1]}")


def _host_port() -> tuple[str, int]:
    return os.environ.get("MEETUP_HOST", "127.0.0.1"), int(os.environ.get("MEETUP_PORT", "5000"))


def base_url(app: Flask) -> str:
    host, port = _host_port()
    return app.config.get("PUBLIC_URL") or f"http://{host}:{port}"


def print_urls(app: Flask) -> None:
    from meetup.models import Meetup, Phase

    base = base_url(app)
    click.echo(f"\nMeetup runs at {base}")
    click.echo(f"  Organiser:    {base}/organiser/")
    for meetup in db.session.scalars(select(Meetup).order_by(Meetup.id)):
        if meetup.phase is Phase.CLOSED:  # over: what it left behind, not how to join
            click.echo(f"  {meetup.title} (closed)")
            click.echo(f"    organiser:  {base}/organiser/meetups/{meetup.id}")
            click.echo(f"    report:     {base}/organiser/meetups/{meetup.id}/report")
            click.echo(f"    follow-up:  {base}/organiser/meetups/{meetup.id}/board")
            continue
        click.echo(f"  {meetup.title} (code {meetup.short_code})")
        click.echo(f"    organiser:  {base}/organiser/meetups/{meetup.id}")
        click.echo(f"    projector:  {base}/projector/{meetup.id}")
        click.echo(f"    join:       {base}/j/{meetup.join_token}")
    click.echo(f"  Join by code: {base}/join\n")


@click.command("urls")
def urls_command() -> None:
    """Print the organiser, projector and join URLs of every meetup."""
    print_urls(current_app._get_current_object())  # type: ignore[attr-defined]


#: Young-generation threshold of the garbage collector under ``meetup serve`` (Python's
#: default is 700), see :func:`tune_gc`.
GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Fewer, cheaper full garbage collections while phones write (issue 12).

    A full collection stops the process for as long as it takes to scan every object (with
    1,000 phones connected: 300,000 objects, 100 to 400 ms on the development VM), and every
    write waiting meanwhile waits that long. With the default young threshold (700) the
    objects of writes still in flight survived two young collections, counted as long-lived
    and set off a full collection every few seconds under 200 writes a second: the sustained
    load's p95 was ten times its median. With a larger young generation most of them are gone
    before they are looked at (this needs writes that leave no reference cycles behind: see
    the Socket.IO rule in :mod:`meetup.realtime`). The objects built at start-up (modules,
    the app) are frozen: no collection scans them again.
    """
    import gc

    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def serve(app: Flask) -> None:
    from meetup.extensions import socketio

    tune_gc()
    socketio.start_background_task(housekeeping, app)
    from meetup.cli_mail import mail_scheduler_loop

    socketio.start_background_task(mail_scheduler_loop, app)
    if app.config.get("NOTE_VECTORS", True):
        from meetup.services import note_vectors

        socketio.start_background_task(note_vectors.run_worker, app)
    host, port = _host_port()
    # gevent listens with a queue of 128 handshakes not yet accepted; a room of phones
    # reconnecting at once overflows it, and a dropped handshake is retried by the phone's
    # kernel only after 1, then 3 seconds. The kernel caps this at net.core.somaxconn.
    backlog = int(os.environ.get("MEETUP_LISTEN_BACKLOG", "2048") or 2048)
    socketio.run(app, host=host, port=port, log_output=True, use_reloader=False,
                 backlog=backlog)


@click.command("serve")
def serve_command() -> None:
    """Start the server on MEETUP_HOST:MEETUP_PORT (default 127.0.0.1:5000) with gevent."""
    serve(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("demo")
def demo_command() -> None:
    """Apply migrations, seed the demo meetup when empty, print the URLs and serve."""
    from flask_migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SMTP_URL") and not app.config.get("MAIL_DEV_MAILBOX"):
        # The demo keeps every mail in a development mailbox the organiser can open.
        app.config["MAIL_DEV_MAILBOX"] = str(Path(app.instance_path) / "mailbox")
    upgrade()
    seeded = seed_demo(app)
    if seeded:
        click.echo(f"\nDemo organiser: {seeded[0]}")
        click.echo(f"Password (shown once, note it down): {seeded[1]}")
    print_urls(app)
    serve(app)


@click.command("export")
@click.argument("meetup_ref", metavar="MEETUP")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["pdf", "csv", "notes-csv", "json", "decidim", "followup-pdf"]),
              help="pdf = report, csv = agreements, notes-csv = notes, json = everything, "
                   "decidim = agreements for Decidim, followup-pdf = follow-up status.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for standard output).")
def export_command(meetup_ref: str, fmt: str, output: str) -> None:
    """Export a meetup's report; MEETUP is its id or its short code."""
    from meetup.models import Meetup
    from meetup.reports import exports
    from meetup.reports.data import gather_report
    from meetup.services import meetups
    from meetup.services.errors import DomainError

    meetup = db.session.get(Meetup, int(meetup_ref)) if meetup_ref.isdigit() else None
    if meetup is None:
        try:
            meetup = meetups.by_short_code(db.session, meetup_ref)
        except DomainError as error:
            raise click.ClickException(f"No meetup with id or code {meetup_ref!r}.") from error
    body, _mimetype, _name = exports.build(gather_report(db.session, meetup), fmt)
    with click.open_file(output, "wb") as fh:
        fh.write(body)
    if output != "-":
        click.echo(f"{fmt} of {meetup.title!r} written to {output} ({len(body):,} bytes).",
                   err=True)


# -- backups --------------------------------------------------------------------------------


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE, also while the evening runs.

    Never copy meetup.sqlite3 by hand during the evening: in WAL mode a plain copy misses
    notes that were already saved.
    """
    from meetup.services import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        made = backup.backup(url, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {made} ({made.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup FILE (stop the server first)."""
    from meetup.services import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"This replaces EVERYTHING in the database with {file}. Stop the server "
                      "first. Continue?", abort=True)
    try:
        backup.restore(url, file, engine=db.engine)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {file}.")


@click.command("anonymise")
def anonymise_command() -> None:
    """Anonymise names, e-mail addresses and organisations of meetups past their retention
    date (agreements, notes and counts stay). The server also runs this daily."""
    from meetup.services import privacy

    done = privacy.anonymise_due(db.session)
    db.session.commit()
    if not done:
        click.echo("No meetup is past its retention date.")
    for meetup in done:
        click.echo(f"Anonymised {meetup.title!r} (id {meetup.id}).")


#: How often the server runs ``anonymise`` by itself.
ANONYMISE_EVERY = timedelta(days=1)


def housekeeping_once(app: Flask, state: dict[str, object],
                      now: datetime | None = None) -> None:
    """One round of the server's own chores: a rolling backup when something changed, and
    once a day the anonymising of meetups past their retention date."""
    from meetup.services import backup, privacy
    from meetup.services.offload import off_loop

    now = now or datetime.now(UTC)
    last = state.get("anonymised")
    if not isinstance(last, datetime) or now - last >= ANONYMISE_EVERY:
        with app.app_context():
            for meetup in privacy.anonymise_due(db.session, now):
                log.info("anonymised meetup %s (retention date passed)", meetup.id)
            db.session.commit()
        state["anonymised"] = now
    with app.app_context():
        marker = backup.change_marker(db.session)
        db.session.rollback()
        if marker != state.get("marker"):
            folder = Path(app.config.get("BACKUP_DIR") or Path(app.instance_path) / "backups")
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            keep = int(app.config.get("BACKUP_KEEP", 12))
            if url.startswith("sqlite"):
                # SQLite's backup API copies the pages itself: off the event loop.
                made = off_loop(backup.rolling_backup, url, folder, keep)
            else:
                # pg_dump is a child process that gevent already waits for without blocking
                # the loop (and gevent cannot start a child process from its thread pool).
                made = backup.rolling_backup(url, folder, keep)
            state["marker"] = marker
            copy_dir = app.config.get("BACKUP_COPY_DIR")
            if copy_dir:  # `meetup venue --backup-dir`: a second folder, a USB stick
                try:
                    off_loop(backup.copy_rolling, made, Path(copy_dir), keep)
                except OSError as error:  # a stick pulled out must not stop the evening
                    log.warning("the backup could not be copied to %s: %s", copy_dir, error)


def housekeeping(app: Flask) -> None:
    """Runs beside the server: every BACKUP_INTERVAL seconds, see :func:`housekeeping_once`."""
    from meetup.extensions import socketio

    state: dict[str, object] = {}
    interval = float(app.config.get("BACKUP_INTERVAL", 300))
    while True:
        socketio.sleep(interval)
        try:
            housekeeping_once(app, state)
        except Exception:  # a failed backup must never stop the evening
            log.exception("housekeeping failed")


# A command of the group itself, not of the app: it decides the app's public address first.
from meetup.cli_venue import venue_command

cli.add_command(venue_command)
