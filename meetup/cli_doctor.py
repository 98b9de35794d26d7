"""``meetup doctor``: a thin face over :mod:`meetup.services.doctor`.

Run it with the installation's environment (the workers' environment file); it prints one
line per check (OK, INFO, WARN, FAIL) and how to fix what is wrong, in Dutch or English, and
exits with 1 when anything FAILs.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from meetup.services import doctor


def _language(lang: str | None) -> str:
    if lang:
        return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


def _default_workers() -> list[str]:
    listed = os.environ.get("MEETUP_DOCTOR_WORKERS", "")
    if listed.strip():
        return [url.strip() for url in listed.split(",") if url.strip()]
    host = os.environ.get("MEETUP_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return [f"http://{host}:{os.environ.get('MEETUP_PORT', '5000')}"]


def setup_from_app(app: Flask, workers: list[str], ca_file: str | None) -> doctor.Setup:
    """What the doctor checks, read from the app's configuration (its environment)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    instance = Path(app.instance_path)
    data_dirs = [instance]
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database:
        data_dirs.append(Path(database).parent)
    return doctor.Setup(
        database_url=url, secret_key=str(app.secret_key or ""),
        public_url=app.config.get("PUBLIC_URL"),
        secure_cookies=bool(app.config.get("SESSION_COOKIE_SECURE")),
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        worker_urls=workers,
        backup_dir=Path(app.config.get("BACKUP_DIR") or instance / "backups"),
        nightly_backup_dir=(Path(os.environ["MEETUP_NIGHTLY_BACKUP_DIR"])
                            if os.environ.get("MEETUP_NIGHTLY_BACKUP_DIR") else None),
        data_dirs=data_dirs,
        smtp_url=os.environ.get("MEETUP_SMTP_URL") or None,
        smtp_ca_file=os.environ.get("MEETUP_SMTP_CA_FILE") or None,
        ca_file=ca_file)


def print_findings(findings: list[doctor.Finding], lang: str) -> None:
    from flask_babel import force_locale

    with force_locale(lang):
        for finding in findings:
            click.echo(f"{finding.status.value:<5} {finding.message}")
            if finding.fix and finding.status in (doctor.Status.WARN, doctor.Status.FAIL):
                click.echo(f"      -> {finding.fix}")


@click.command("doctor")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of the answer (default: from the locale, LANG).")
@click.option("--worker", "workers", multiple=True, metavar="URL",
              help="A worker's own address, e.g. http://127.0.0.1:8001 (repeatable; default: "
                   "MEETUP_DOCTOR_WORKERS, else MEETUP_HOST:MEETUP_PORT).")
@click.option("--ca-file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Trust this CA bundle for the public URL (a private certificate authority).")
@click.option("--only", multiple=True, type=click.Choice(doctor.check_names()),
              help="Run only this check (repeatable).")
def doctor_command(lang: str | None, workers: tuple[str, ...], ca_file: str | None,
                   only: tuple[str, ...]) -> None:
    """Check this installation and say what is wrong and how to fix it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    setup = setup_from_app(app, list(workers) or _default_workers(), ca_file)
    try:
        findings = doctor.run(setup, only or None)
    finally:
        engine = setup.cache.get("engine")
        if engine is not None:
            engine.dispose()
    print_findings(findings, _language(lang))
    if doctor.worst(findings) is doctor.Status.FAIL:
        raise SystemExit(1)
