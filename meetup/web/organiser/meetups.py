"""Dashboard and preparing meetups (create, edit, delete, themes)."""

from __future__ import annotations

from typing import Any

from flask import g, render_template

from meetup.extensions import db
from meetup.services import meetups as meetup_service
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required


@bp.route("/")
@login_required
def dashboard() -> Any:
    items = meetup_service.meetups_of(db.session, g.organiser)
    return render_template("organiser/dashboard.html", meetups=items)
