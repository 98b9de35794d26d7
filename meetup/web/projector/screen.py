"""The live projector screen, 16:9 (placeholder until the live screen lands)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.organiser.auth import login_required
from meetup.web.projector import bp


@bp.route("/<int:meetup_id>")
@login_required
def screen(meetup_id: int) -> Any:
    abort(404)
