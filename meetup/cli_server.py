"""Commands for a server installation (``scripts/install-server.sh`` and its units).

``meetup nightly-backup`` (the nightly systemd timer) and ``meetup check-live`` (asked before
an upgrade restarts the workers). A thin face like :mod:`meetup.cli`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from meetup.extensions import db

#: Exit status of ``meetup check-live`` when an evening is running.
LIVE_EXIT_STATUS = 3


@click.command("nightly-backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep-days", default=14, show_default=True, type=click.IntRange(min=1),
              help="Remove nightly backups older than this many days.")
def nightly_backup_command(folder: Path, keep_days: int) -> None:
    """Write a dated backup of the database into FOLDER and remove the expired ones."""
    from meetup.services import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        made, removed = backup.nightly_backup(url, folder, keep_days)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {made} ({made.stat().st_size:,} bytes).")
    for path in removed:
        click.echo(f"Removed {path.name} (older than {keep_days} days).")


@click.command("check-live")
def check_live_command() -> None:
    """Say whether an evening is running now; exit with status 3 when one is."""
    from meetup.services import live

    running = live.live_meetups(db.session)
    db.session.rollback()
    if not running:
        click.echo("No evening is running.")
        return
    for meetup in running:
        click.echo(f"Running now: {meetup.title!r} (id {meetup.id}, phase {meetup.phase}).")
    raise click.exceptions.Exit(LIVE_EXIT_STATUS)


COMMANDS = (nightly_backup_command, check_live_command)
