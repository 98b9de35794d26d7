"""Running the evening from the laptop (placeholder until the live overview lands)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required


@bp.route("/meetups/<int:meetup_id>/live")
@login_required
def live(meetup_id: int) -> Any:
    abort(404)
