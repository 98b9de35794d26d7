"""Reports and exports of a meetup (placeholder until the report lands)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required


@bp.route("/meetups/<int:meetup_id>/report")
@login_required
def report(meetup_id: int) -> Any:
    abort(404)
