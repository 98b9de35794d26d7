"""Every export by name: builder, media type and file name, shared by the web and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from meetup.reports.csv_export import agreements_csv, notes_csv
from meetup.reports.data import Report
from meetup.reports.decidim import decidim_csv
from meetup.reports.filenames import slug
from meetup.reports.followup_pdf import build_followup_pdf
from meetup.reports.json_export import report_json
from meetup.reports.pdf import build_report_pdf
from meetup.reports.texts import TIMEZONE


@dataclass(frozen=True)
class Export:
    build: Callable[[Report], bytes]
    mimetype: str
    #: File name without the meetup part, e.g. ``afspraken.pdf``.
    suffix: str


EXPORTS: dict[str, Export] = {
    "pdf": Export(build_report_pdf, "application/pdf", "afsprakenrapport.pdf"),
    "csv": Export(agreements_csv, "text/csv; charset=utf-8", "afspraken.csv"),
    "notes-csv": Export(notes_csv, "text/csv; charset=utf-8", "notities.csv"),
    "json": Export(report_json, "application/json", "rapport.json"),
    "decidim": Export(decidim_csv, "text/csv; charset=utf-8", "decidim-resultaten.csv"),
    "followup-pdf": Export(build_followup_pdf, "application/pdf", "stand-van-zaken.pdf"),
}



def filename(report: Report, fmt: str) -> str:
    day = report.starts_at.astimezone(TIMEZONE).date().isoformat() if report.starts_at else ""
    parts = [slug(report.title), day, EXPORTS[fmt].suffix]
    return "-".join(p for p in parts if p)


def build(report: Report, fmt: str) -> tuple[bytes, str, str]:
    """``(bytes, mimetype, file name)`` of export ``fmt``; KeyError for an unknown name."""
    export = EXPORTS[fmt]
    return export.build(report), export.mimetype, filename(report, fmt)
