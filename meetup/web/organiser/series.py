"""A follow-up meetup ("Vervolgmeetup maken") and the page of a series."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from meetup.extensions import db
from meetup.reports.filenames import slug
from meetup.reports.overview import Filters, gather_overview
from meetup.reports.overview_export import overview_csv, overview_json
from meetup.services import access
from meetup.services import meetups as meetup_service
from meetup.services import series as series_service
from meetup.services.errors import InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.organiser.forms import attach_error
from meetup.web.organiser.meetups import PHASE_LABELS


class FollowUpForm(FlaskForm):
    """Where and when the next meetup is; everything else is copied from the earlier one."""

    series_name = StringField(_l("Name of the series"), validators=[Length(max=200)],
                              description=_l("For example: Meetup Kansenongelijkheid Gooi. "
                                             "The series can hold meetups in several cities."))
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the meetup a title.")),
                                                 Length(max=200)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    date = DateField(_l("Date"), validators=[Optional()],
                     description=_l("Leave date and time empty if they are not known yet."))
    start_time = TimeField(_l("Start time"), validators=[Optional()],
                           format=["%H:%M", "%H:%M:%S"],
                           description=_l("Dutch time, for example 19:30."))


@bp.route("/meetups/<int:meetup_id>/follow-up", methods=["GET", "POST"])
@login_required
def new_follow_up(meetup_id: int) -> Any:
    previous = meetup_for(meetup_id, access.RUN)
    form = FollowUpForm()
    if request.method == "GET":
        form.title.data = previous.title
        form.city.data = previous.city
        form.venue.data = previous.venue
        form.series_name.data = previous.series.name if previous.series else previous.title
    if form.validate_on_submit():
        try:
            starts_at = None
            if form.date.data is not None and form.start_time.data is not None:
                starts_at = meetup_service.local_to_utc(form.date.data, form.start_time.data)
            meetup = series_service.create_follow_up(
                db.session, g.organiser, previous, title=form.title.data or "",
                city=form.city.data or "", venue=form.venue.data or "", starts_at=starts_at,
                series_name=form.series_name.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            if not attach_error(form, error.field, error.message, {"starts_at": "date"}):
                flash(str(error.message))
        else:
            flash(_("The follow-up meetup is ready, with the themes and settings of %(title)s.",
                    title=previous.title))
            return redirect(url_for("organiser.meetup", meetup_id=meetup.id))
    return render_template("organiser/follow_up_form.html", form=form, previous=previous)


@bp.route("/series/<int:series_id>")
@login_required
def series(series_id: int) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    meetups = series_service.meetups_in(db.session, item)
    counts = meetup_service.participant_counts(db.session, [m.id for m in meetups])
    return render_template("organiser/series.html", series=item, meetups=meetups,
                           counts=counts, phase_labels=PHASE_LABELS)


def _filters() -> Filters:
    """The overview's filters from the query string (unknown values simply match nothing)."""
    def arg(name: str) -> str:
        return (request.args.get(name) or "").strip()[:200]
    return Filters(city=arg("city"), year=arg("year"), theme=arg("theme"), status=arg("status"),
                   organisation=arg("organisation"))


@bp.route("/series/<int:series_id>/overview")
@login_required
def series_overview(series_id: int) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    overview = gather_overview(db.session, item, _filters())
    query = {k: v for k, v in request.args.items() if v}
    return render_template("organiser/series_overview.html", series=item, overview=overview,
                           csv_url=url_for("organiser.series_overview_export",
                                           series_id=item.id, fmt="csv", **query),
                           json_url=url_for("organiser.series_overview_export",
                                            series_id=item.id, fmt="json", **query))


@bp.route("/series/<int:series_id>/overview.<fmt>")
@login_required
def series_overview_export(series_id: int, fmt: str) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    if fmt not in ("csv", "json"):
        abort(404)
    overview = gather_overview(db.session, item, _filters())
    body = overview_csv(overview) if fmt == "csv" else overview_json(overview)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{slug(item.name)}-overzicht.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
