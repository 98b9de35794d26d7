"""Public pages: home, the briefing per meetup, the shared report, follow-up links."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.route("/")
def home() -> Any:
    return render_template("public/home.html")
