"""The join screen for the projector, the QR code (PNG and SVG) and the A4 poster.

Only the organiser who owns the meetup sees these: the QR link lets anyone join, so it is
shown in the room, not published.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _

from meetup.models import Meetup
from meetup.reports.poster import PosterTexts, build_poster
from meetup.reports.qr import qr_png as build_qr_png
from meetup.reports.qr import qr_svg as build_qr_svg
from meetup.services import links
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.participant.join import meetup_when_where
from meetup.web.projector import bp


def public_base() -> str:
    """The address QR codes point to: ``PUBLIC_URL`` when set, else this request's host."""
    return links.base_url(current_app.config.get("PUBLIC_URL"), request.url_root)


def _owned(meetup_id: int) -> Meetup:
    return meetup_for(meetup_id)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/<int:meetup_id>/join")
@login_required
def join_screen(meetup_id: int) -> Any:
    """Full screen, 16:9: the QR code, the short code and where to type it."""
    meetup = _owned(meetup_id)
    base = public_base()
    return render_template(
        "projector/join.html", meetup=meetup, join_url=links.join_url(base, meetup),
        code_address=links.display_address(links.code_url(base)))


@bp.route("/<int:meetup_id>/qr.png")
@login_required
def qr_png(meetup_id: int) -> Any:
    meetup = _owned(meetup_id)
    png = build_qr_png(links.join_url(public_base(), meetup))
    return _private(Response(png, mimetype="image/png"))


@bp.route("/<int:meetup_id>/qr.svg")
@login_required
def qr_svg(meetup_id: int) -> Any:
    meetup = _owned(meetup_id)
    svg = build_qr_svg(links.join_url(public_base(), meetup))
    return _private(Response(svg, mimetype="image/svg+xml"))


@bp.route("/<int:meetup_id>/poster.pdf")
@login_required
def poster(meetup_id: int) -> Any:
    """The A4 poster to print and hang at the entrance, in the organiser's language."""
    meetup = _owned(meetup_id)
    base = public_base()
    texts = PosterTexts(
        scan=_("Scan the QR code with your phone"),
        or_type=_("or go to"),
        code_label=_("and type the code"),
        steps=(
            _("Fill in your name, your role and your organisation."),
            _("Your phone is your worksheet for the whole evening. No app, no account."),
        ),
    )
    pdf = build_poster(meetup.title, meetup_when_where(meetup), links.join_url(base, meetup),
                       meetup.short_code, links.code_url(base), texts)
    response = _private(Response(pdf, mimetype="application/pdf"))
    response.headers["Content-Disposition"] = \
        f'inline; filename="meetup-{meetup.short_code}-poster.pdf"'
    return response
