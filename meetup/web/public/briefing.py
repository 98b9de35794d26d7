"""The public briefing page of a meetup (placeholder until it lands)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.public import bp


@bp.route("/b/<code>")
def briefing(code: str) -> Any:
    abort(404)
