"""Configuration from the environment.

Every setting can be given as ``MEETUP_<NAME>`` in the environment; tests pass a
``config_override`` mapping to :func:`meetup.create_app` instead.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Length limit of a brainstorm note, in characters.
NOTE_MAX_LENGTH = 280


def _secret_key(instance_path: Path) -> str:
    """Return the secret key from the environment, else from (or into) the instance folder.

    The generated key is written once with mode 0600 and reused on every start, so signed
    participant cookies survive a restart. It lives in the instance folder, which is never
    committed.
    """
    from_env = os.environ.get("MEETUP_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def engine_options(database_url: str) -> dict[str, Any]:
    """SQLAlchemy engine options. On PostgreSQL a worker keeps up to 20 connections and lets
    a request wait up to a minute for one: in a reconnect storm of 2,000 phones, the default
    (15, 30 s) refused hundreds of phones while the worker was busy, not the database. Four
    workers stay within PostgreSQL's default of 100 connections (MEETUP_DB_POOL_SIZE tunes
    it)."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        size = int(os.environ.get("MEETUP_DB_POOL_SIZE", "10") or 10)
        options.update(pool_size=size, max_overflow=size, pool_timeout=60)
    return options


def build_config(instance_path: str, override: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping for an app whose instance folder is ``instance_path``."""
    instance = Path(instance_path)
    override = dict(override or {})
    default_db = f"sqlite:///{instance / 'meetup.sqlite3'}"
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("MEETUP_DATABASE_URL", default_db),
        # The base URL that QR codes and shared links point to; None means "the request's URL".
        "PUBLIC_URL": (os.environ.get("MEETUP_PUBLIC_URL") or "").rstrip("/") or None,
        # Redis URL for Flask-SocketIO's message queue when several workers run.
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("MEETUP_MESSAGE_QUEUE") or None,
        # Number of proxies in front (nginx): trust their X-Forwarded-For/-Proto/-Host headers.
        "PROXY_COUNT": int(os.environ.get("MEETUP_PROXY_COUNT", "0") or 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("MEETUP_SECURE_COOKIES", "") == "1",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        # An organiser's session ends this long after logging in, however busy (absolute).
        "ORGANISER_SESSION_MAX_AGE": 60 * 60 * int(
            os.environ.get("MEETUP_ORGANISER_SESSION_HOURS", "16") or 16),
        # Flask-Limiter: counters in this process, or in Redis when several workers share a
        # message queue (so that a limit holds across workers).
        "RATELIMIT_STORAGE_URI": os.environ.get("MEETUP_MESSAGE_QUEUE") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Failed logins: per address, and per account (whatever address they come from).
        "LOGIN_LIMIT_PER_ADDRESS": "10 per minute;60 per hour",
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute;30 per hour",
        # Joins are not limited per address by default: a venue's phones often share one NAT
        # address. A meetup takes its expected number of participants (with a margin) at full
        # speed and a few a minute beyond it (services/admission.py, docs/security.md).
        # Setting this adds a per-address limit on joins, e.g. "100 per minute".
        "JOIN_LIMIT_PER_ADDRESS": os.environ.get("MEETUP_JOIN_LIMIT_PER_ADDRESS") or None,
        # Wrong short codes at /join and unknown codes at /b/<code>, per address.
        "CODE_GUESS_LIMIT": "10 per minute;60 per hour",
        "BRIEFING_GUESS_LIMIT": "10 per minute;60 per hour",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "DISPLAY_TIMEZONE": "Europe/Amsterdam",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Rolling backups while the server runs: every BACKUP_INTERVAL seconds when something
        # changed, into BACKUP_DIR (default instance/backups), keeping the last BACKUP_KEEP.
        "BACKUP_INTERVAL": int(os.environ.get("MEETUP_BACKUP_INTERVAL", "300") or 300),
        "BACKUP_KEEP": int(os.environ.get("MEETUP_BACKUP_KEEP", "12") or 12),
        "BACKUP_DIR": os.environ.get("MEETUP_BACKUP_DIR") or None,
        # Follow-up mail (issue 23): smtp://user:password@host:587 (STARTTLS) or smtps://...
        # (TLS); without it mail is off (the organiser's page offers the links to copy).
        "SMTP_URL": os.environ.get("MEETUP_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MEETUP_MAIL_FROM") or "Meetup <meetup@localhost>",
        # A PEM file of CA certificates the SMTP server's certificate is checked against,
        # instead of the system's (a company's own CA). Verification is never switched off.
        "SMTP_CA_FILE": os.environ.get("MEETUP_SMTP_CA_FILE") or None,
        # A development sink: mails become files in this folder, shown to the organiser
        # (``meetup demo`` sets it to instance/mailbox). Never for real use.
        "MAIL_DEV_MAILBOX": os.environ.get("MEETUP_MAIL_DEV_MAILBOX") or None,
        # How often ``meetup serve``'s mail scheduler looks for due mail, in seconds.
        "MAIL_INTERVAL": int(os.environ.get("MEETUP_MAIL_INTERVAL", "60") or 60),
        # At most this many mails a second from ``meetup serve``'s scheduler (the evening's
        # writes come first); ``meetup send-mail`` is not paced.
        "MAIL_RATE": int(os.environ.get("MEETUP_MAIL_RATE", "20") or 20),
        # Notes' sentence vectors for grouping, computed in the background by `meetup serve`
        # (services/note_vectors.py); 0 turns the worker off (vectors are then computed when
        # the organiser asks for groups).
        "NOTE_VECTORS": os.environ.get("MEETUP_NOTE_VECTORS", "1") != "0",
    }
    if "SECRET_KEY" not in override:
        config["SECRET_KEY"] = _secret_key(instance)
    config.update(override)
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                      engine_options(str(config["SQLALCHEMY_DATABASE_URI"])))
    return config

#: Key in the signed session cookie holding ``{meetup_id: participant token}``. The web face
#: writes it at join; the real-time face reads it on connect. Identity never comes from ids
#: the client sends.
PARTICIPANT_SESSION_KEY = "participants"
