"""The home page."""

from __future__ import annotations

from typing import Any

from flask import render_template

from meetup.web.public import bp


@bp.route("/")
def home() -> Any:
    return render_template("public/home.html")


@bp.route("/privacy")
def privacy() -> Any:
    """What is stored, why and for how long (linked from the join form)."""
    return render_template("public/privacy.html")
