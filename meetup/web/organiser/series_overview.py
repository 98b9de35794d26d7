"""The overview across a series, continued: the organisations that come back across its
meetups (a page and a CSV) and the PDF for the national partners. The agreements page and
its CSV / JSON are in :mod:`meetup.web.organiser.series`; the same filters apply here."""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template, request, url_for

from meetup.extensions import db
from meetup.reports.filenames import slug
from meetup.reports.lazy import overview_pdf
from meetup.reports.overview import gather_overview
from meetup.reports.overview_export import organisations_csv
from meetup.services import series as series_service
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required
from meetup.web.organiser.series import _filters


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/series/<int:series_id>/overview/organisations")
@login_required
def series_organisations(series_id: int) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    overview = gather_overview(db.session, item, _filters())
    query = {k: v for k, v in request.args.items() if v}
    return render_template(
        "organiser/series_organisations.html", series=item, overview=overview, query=query,
        csv_url=url_for("organiser.series_organisations_csv", series_id=item.id, **query),
        pdf_url=url_for("organiser.series_overview_pdf", series_id=item.id, **query))


@bp.route("/series/<int:series_id>/overview/organisations.csv")
@login_required
def series_organisations_csv(series_id: int) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    overview = gather_overview(db.session, item, _filters())
    return _download(organisations_csv(overview), "text/csv; charset=utf-8",
                     f"{slug(item.name)}-organisaties.csv")


@bp.route("/series/<int:series_id>/overview.pdf")
@login_required
def series_overview_pdf(series_id: int) -> Any:
    item = series_service.owned_series(db.session, g.organiser, series_id)
    overview = gather_overview(db.session, item, _filters())
    return _download(overview_pdf.build_overview_pdf(overview), "application/pdf",
                     f"{slug(item.name)}-overzicht.pdf")
