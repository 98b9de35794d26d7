"""QR code, join screen and A4 poster (placeholder until they land)."""

from __future__ import annotations

from typing import Any

from flask import abort

from meetup.web.organiser.auth import login_required
from meetup.web.projector import bp


@bp.route("/<int:meetup_id>/join")
@login_required
def join_screen(meetup_id: int) -> Any:
    abort(404)


@bp.route("/<int:meetup_id>/qr.png")
@login_required
def qr_png(meetup_id: int) -> Any:
    abort(404)


@bp.route("/<int:meetup_id>/qr.svg")
@login_required
def qr_svg(meetup_id: int) -> Any:
    abort(404)


@bp.route("/<int:meetup_id>/poster.pdf")
@login_required
def poster(meetup_id: int) -> Any:
    abort(404)
