"""CSV, JSON and Decidim exports, read back the way their readers will."""

from __future__ import annotations

import csv
import io
import json

import pytest

from meetup.extensions import db
from meetup.reports.csv_export import agreements_csv, neutralise, notes_csv
from meetup.reports.data import gather_report
from meetup.reports.decidim import decidim_csv
from meetup.reports.json_export import report_json
from tests.report_factories import add_agreement, add_note, add_table, make_evening, make_meetup

DECIDIM_HEADER = ("id;category/id;category/name/nl;scope/id;scope/name/nl;parent/id;title/nl;"
                  "description/nl;start_date;end_date;status/id;status/key;status/name/nl;"
                  "progress;created_at;url;component/id;proposal_urls")


@pytest.fixture
def report(app):
    evening = make_evening()
    db.session.commit()
    return gather_report(db.session, evening.meetup)


def read(data: bytes, delimiter: str = ";") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_agreements_csv_opens_in_excel_and_reads_back(report) -> None:
    data = agreements_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read(data)
    assert [r["Wat gaan we doen"] for r in rows] == [a.what for a in report.agreements]
    first = rows[0]
    assert first["Trekker"] == "Şükrü Yılmaz"
    assert first["Partners"] == "Bibliotheek, Ouders / verzorgers"
    assert first["Wanneer"] == "01-02-2027"  # Dutch dd-mm-jjjj in CSVs; ISO only in JSON and Decidim
    assert first["Status"] == "bezig"
    assert first["Doen mee"] == "2"
    assert first["Laatste toelichting"] == "Eerste ouders gevonden"


def test_notes_csv_holds_visible_notes_without_authors(report) -> None:
    rows = read(notes_csv(report))
    assert len(rows) == report.note_count
    assert set(rows[0]) == {"Thema", "Tafel", "Ronde", "Notitie", "Stemmen"}
    texts = {r["Notitie"] for r in rows}
    assert "Geen tolk bij oudergesprekken" in texts
    assert not any("VERBORGEN" in t for t in texts)


@pytest.mark.parametrize("typed", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)",
                                   "\t=1", "\r=1"])
def test_formula_injection_is_neutralised(app, typed: str) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "taal", 1)
    add_agreement(meetup, table=table, what=typed, owner_name=typed)
    add_note(table, typed)
    db.session.commit()
    report = gather_report(db.session, meetup)
    expected = "'" + typed.strip()
    if typed.strip() != typed:  # the gatherer trims the text; nothing dangerous is left
        expected = neutralise(typed.strip())
    assert read(agreements_csv(report))[0]["Wat gaan we doen"] == expected
    assert read(notes_csv(report))[0]["Notitie"] == expected
    assert neutralise(typed) == "'" + typed


def test_plain_text_is_left_alone() -> None:
    assert neutralise("Voorlezen = leuk") == "Voorlezen = leuk"
    assert neutralise(12) == "12"


def test_json_export(report) -> None:
    data = json.loads(report_json(report))
    assert data["summary"]["agreements"] == 4
    assert data["summary"]["drafts_not_included"] == 1
    assert data["agreements"][1]["owner"] == {"name": "Nguyễn Thị Hương",
                                              "organisation": "GGD Gooi"}
    assert data["agreements"][0]["updates"][0]["note"] == "Eerste ouders gevonden"
    assert len(data["notes"]) == 6
    raw = report_json(report).decode("utf-8")
    assert "Geheime Gerrit" not in raw
    assert "followup" not in raw
    assert "@example.org" not in raw


def test_decidim_csv_has_the_importer_header(report) -> None:
    data = decidim_csv(report)
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    assert text.splitlines()[0] == DECIDIM_HEADER
    rows = read(data)
    assert len(rows) == 4
    first = rows[0]
    assert first["id"] == ""
    assert first["title/nl"] == "Voorleesouders op elke basisschool"
    assert first["start_date"] == "2026-12-03"
    assert first["end_date"] == "2027-02-01"
    assert first["status/key"] == "in_progress"
    assert first["status/name/nl"] == "bezig"
    assert first["category/name/nl"] == "Taal centraal"
    assert "<strong>Trekker:</strong> Şükrü Yılmaz, Bibliotheek Gooi" in first["description/nl"]
    assert first["created_at"].endswith(" UTC")


def test_decidim_description_escapes_html(app) -> None:
    meetup = make_meetup()
    add_agreement(meetup, table=add_table(meetup, "taal", 1), first_step="<script>x</script>")
    db.session.commit()
    row = read(decidim_csv(gather_report(db.session, meetup)))[0]
    assert "&lt;script&gt;x&lt;/script&gt;" in row["description/nl"]
    assert "<script>" not in row["description/nl"]
