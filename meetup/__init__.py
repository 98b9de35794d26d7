"""Meetup: run a live 'Meetup Kansenongelijkheid' and turn it into owned, dated agreements.

This module stays light so that ``meetup serve`` can monkey-patch gevent before Flask,
SQLAlchemy and the socket stack are imported; the factory lives in :mod:`meetup.app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config_override: dict[str, Any] | None = None) -> Flask:
    """Build the application (see :func:`meetup.app.create_app`)."""
    from meetup.app import create_app as _create_app

    return _create_app(config_override)
