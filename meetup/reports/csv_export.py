"""CSV exports of agreements and notes, made for Excel as Dutch offices use it.

UTF-8 with a byte order mark (so Excel picks the right encoding), semicolons between fields
(the list separator of Dutch Excel), and formula injection neutralised: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so Excel shows
the text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from meetup.reports import texts
from meetup.reports.data import Report

BOM = "\ufeff"
DELIMITER = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """A cell value that no spreadsheet will evaluate as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True,
              delimiter: str = DELIMITER, safe: bool = True) -> bytes:
    """Rows as CSV bytes (UTF-8, CRLF line ends, every cell neutralised when ``safe``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\r\n")
    clean = neutralise if safe else (lambda v: "" if v is None else str(v))
    writer.writerow([clean(h) for h in header])
    for row in rows:
        writer.writerow([clean(cell) for cell in row])
    return ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")


AGREEMENT_HEADER = ("Nummer", "Thema", "Tafel", "Wat gaan we doen", "Trekker",
                    "Organisatie trekker", "Partners", "Eerste stap", "Wanneer",
                    "Hoe weten we dat het gelukt is", "Status", "Doen mee",
                    "Laatste melding", "Laatste toelichting")

NOTE_HEADER = ("Thema", "Tafel", "Ronde", "Notitie", "Stemmen")


def agreements_csv(report: Report) -> bytes:
    """Every finalised agreement, one per row, in number order."""
    rows = []
    for a in report.agreements:
        last = a.last_update
        rows.append((
            a.number, a.theme_title, a.table_number or "", a.what, a.owner_name,
            a.owner_organisation, ", ".join(a.partners), a.first_step,
            texts.short_date(a.due_date), a.success_measure,
            texts.STATUS.get(a.status, a.status), a.signed_on,
            texts.local_time(last.created_at) if last else "", last.note if last else "",
        ))
    return write_csv(AGREEMENT_HEADER, rows)


def notes_csv(report: Report) -> bytes:
    """Every visible note (anonymous), by theme, table and round."""
    return write_csv(NOTE_HEADER, ((n.theme_title, n.table_number, texts.ROUND[n.round],
                                    n.text, n.votes) for n in report.notes))
