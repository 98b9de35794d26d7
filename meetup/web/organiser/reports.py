"""The organiser's report page: downloads, the share link, the follow-up overview, contacts.

Available at any moment, also while the meetup is running (the report then says it is an
interim state). Gather -> build -> send: this face only picks the meetup and sends the bytes.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from meetup.extensions import db
from meetup.models.types import utcnow
from meetup.reports.data import gather_report
from meetup.reports.lazy import exports  # reportlab on the first report, not at boot
from meetup.reports.texts import TIMEZONE
from meetup.services import continuation, followup, links, sharing
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL, on ``PUBLIC_URL`` when configured (links people open elsewhere)."""
    base = links.base_url(current_app.config.get("PUBLIC_URL"), request.url_root)
    return base + url_for(endpoint, **values)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/meetups/<int:meetup_id>/report")
@login_required
def report(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    data = gather_report(db.session, meetup, private=True)
    today = utcnow().astimezone(TIMEZONE).date()
    links = {a.number: external_url("public.followup", token=a.followup_token)
             for a in data.agreements}
    share_url = (external_url("public.shared_report", token=meetup.report_share_token)
                 if meetup.report_share_token else None)
    html = render_template(
        "reports/organiser.html",
        meetup=meetup,
        report=data,
        summary=followup.summary(db.session, meetup, today),
        followup_links=links,
        share_url=share_url,
        formats=exports.EXPORTS,
        today=today,
        went_on=continuation.went_on_by_id(db.session, [a.id for a in data.agreements]),
    )
    return _private(Response(html))


@bp.route("/meetups/<int:meetup_id>/report/web")
@login_required
def report_preview(meetup_id: int) -> Any:
    """The web version exactly as the municipality sees it behind the share link."""
    meetup = meetup_for(meetup_id)
    html = render_template("reports/shared.html", report=gather_report(db.session, meetup),
                           preview=True, pdf_url=url_for("organiser.report_export",
                                                         meetup_id=meetup.id, fmt="pdf"))
    return _private(Response(html))


@bp.route("/meetups/<int:meetup_id>/report/export/<fmt>")
@login_required
def report_export(meetup_id: int, fmt: str) -> Any:
    meetup = meetup_for(meetup_id)
    if fmt not in exports.EXPORTS:
        abort(404)
    body, mimetype, filename = exports.build(gather_report(db.session, meetup), fmt)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@bp.route("/meetups/<int:meetup_id>/report/share", methods=["POST"])
@login_required
def report_share(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    sharing.share_report(db.session, meetup)
    db.session.commit()
    flash(_("The report is shared. Send the link to the municipality."))
    return redirect(url_for("organiser.report", meetup_id=meetup.id) + "#share")


@bp.route("/meetups/<int:meetup_id>/report/unshare", methods=["POST"])
@login_required
def report_unshare(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    sharing.revoke_share(db.session, meetup)
    db.session.commit()
    flash(_("The share link no longer works."))
    return redirect(url_for("organiser.report", meetup_id=meetup.id) + "#share")
