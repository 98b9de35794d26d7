"""The live evening on the phone (placeholder until the phone app lands)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.participant import bp


@bp.route("/live/<int:meetup_id>")
def live(meetup_id: int) -> Any:
    abort(404)
