"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

from meetup.config import build_config
from meetup.extensions import babel, csrf, db, limiter, migrate

#: The project root, where ``templates/``, ``static/`` and ``migrations/`` live.
ROOT = Path(__file__).resolve().parent.parent


def create_app(config_override: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and socket handlers."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    instance_path = (config_override or {}).get("INSTANCE_PATH")
    if instance_path:
        app.instance_path = str(instance_path)
    app.config.from_mapping(build_config(app.instance_path, config_override))

    import meetup.models  # noqa: F401  (registers every table on the metadata)
    from meetup.models.types import render_alembic_item

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_alembic_item,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)

    from meetup.web import register_web

    register_web(app)

    from meetup.realtime import register_realtime

    register_realtime(app)

    from meetup.cli import register_cli

    register_cli(app)
    return app


def _select_locale() -> str:
    """The page's language: see :func:`meetup.web.select_locale`."""
    if not has_request_context():  # CLI commands and background tasks speak Dutch
        return "nl"
    from meetup.web import select_locale

    return select_locale()


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout and synchronous FULL on every SQLite connection."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
