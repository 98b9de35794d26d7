"""The agreements as a CSV for Decidim's accountability component ("Resultaten importeren").

The columns follow ``decidim-accountability``'s results importer and its spec fixture
``valid_result.csv``: semicolon-separated, one ``title``/``description`` column per locale
(here ``nl``), dates as ``YYYY-MM-DD``. Choices made for a municipality importing into its
own Decidim:

* ``id`` stays empty: the importer *updates* the result with that id in the component, so our
  numbers could overwrite someone else's results; empty means "create a new result".
* ``status/id`` and ``category/id`` stay empty: they are database ids of the municipality's
  own Decidim. ``status/key``, ``status/name/nl`` and ``category/name/nl`` carry our status
  and theme so an administrator can map them.
* ``description/nl`` is HTML (Decidim stores rich text) with every user text escaped.
* No byte order mark: the importer reads the first header cell as ``id``.
* Formula injection is neutralised as in the other CSV files.
"""

from __future__ import annotations

from html import escape

from meetup.reports import texts
from meetup.reports.csv_export import write_csv
from meetup.reports.data import AgreementRow, Report

LOCALE = "nl"
HEADER = (
    "id", "category/id", f"category/name/{LOCALE}", "scope/id", f"scope/name/{LOCALE}",
    "parent/id", f"title/{LOCALE}", f"description/{LOCALE}", "start_date", "end_date",
    "status/id", "status/key", f"status/name/{LOCALE}", "progress", "created_at", "url",
    "component/id", "proposal_urls",
)

#: Our statuses as Decidim status keys (the key an administrator gives a status).
STATUS_KEYS = {"planned": "planned", "in_progress": "in_progress", "done": "done",
               "stopped": "stopped"}
#: Progress in percent where the status says it; empty where it does not.
PROGRESS = {"planned": "0", "done": "100"}


def _description(a: AgreementRow) -> str:
    parts = [
        ("Trekker", ", ".join(p for p in (a.owner_name, a.owner_organisation) if p)),
        ("Partners", ", ".join(a.partners)),
        ("Eerste stap", a.first_step),
        ("Hoe weten we dat het gelukt is", a.success_measure),
        ("Thema", a.theme_title),
        ("Aantal deelnemers dat meedoet", str(a.signed_on)),
    ]
    return "".join(f"<p><strong>{escape(label)}:</strong> {_lines(value)}</p>"
                   for label, value in parts if value)


def _lines(value: str) -> str:
    """Escaped text with the line breaks people typed as ``<br>``."""
    return "<br>".join(escape(line) for line in value.replace("\r\n", "\n").split("\n"))


def decidim_csv(report: Report) -> bytes:
    start = report.starts_at.astimezone(texts.TIMEZONE).date().isoformat() \
        if report.starts_at else ""
    rows = []
    for a in report.agreements:
        created = a.finalised_at or a.updated_at
        rows.append((
            "", "", a.theme_title, "", "", "", a.what, _description(a), start,
            a.due_date.isoformat() if a.due_date else "", "", STATUS_KEYS.get(a.status, ""),
            texts.STATUS.get(a.status, ""), PROGRESS.get(a.status, ""),
            created.strftime("%Y-%m-%d %H:%M:%S UTC") if created else "", "", "", "",
        ))
    return write_csv(HEADER, rows, bom=False)
