"""``meetup export MEETUP --format ... -o FILE``: by id or short code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from meetup.extensions import db
from tests.report_factories import make_evening, pdf_text


@pytest.fixture
def evening(organiser):
    evening = make_evening(organiser)
    db.session.commit()
    return evening


def test_export_pdf_by_id(app, evening, tmp_path: Path) -> None:
    target = tmp_path / "rapport.pdf"
    result = app.test_cli_runner().invoke(
        args=["export", str(evening.meetup.id), "--format", "pdf", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = pdf_text(target.read_bytes())
    assert "Voorleesouders op elke basisschool" in text
    assert "Şükrü Yılmaz" in text


@pytest.mark.parametrize("code_case", [str.upper, str.lower])
def test_export_csv_by_short_code(app, evening, tmp_path: Path, code_case) -> None:
    target = tmp_path / "afspraken.csv"
    result = app.test_cli_runner().invoke(
        args=["export", code_case(evening.meetup.short_code), "--format", "csv",
              "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig")),
                               delimiter=";"))
    assert [r["Nummer"] for r in rows] == ["1", "2", "3", "4"]


def test_every_format_writes_its_file_with_the_evenings_content(app, evening,
                                                                 tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    for fmt in ("pdf", "csv", "notes-csv", "json", "decidim", "followup-pdf"):
        target = tmp_path / f"out-{fmt}"
        result = runner.invoke(args=["export", str(evening.meetup.id), "--format", fmt,
                                     "-o", str(target)])
        assert result.exit_code == 0, (fmt, result.output)
    agreement, note = "Voorleesouders op elke basisschool", "Taalcafé voor ouders"
    for fmt in ("pdf", "followup-pdf"):
        assert agreement in pdf_text((tmp_path / f"out-{fmt}").read_bytes()), fmt
    for fmt in ("csv", "decidim"):
        assert agreement in (tmp_path / f"out-{fmt}").read_bytes().decode("utf-8-sig"), fmt
    assert note in (tmp_path / "out-notes-csv").read_bytes().decode("utf-8-sig")
    assert json.loads((tmp_path / "out-json").read_bytes())["summary"]["agreements"] == 4


def test_unknown_meetup_or_format_fails_clearly(app, evening, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "ZZZZZZ", "--format", "pdf",
                                 "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "No meetup with id or code 'ZZZZZZ'" in result.output
    assert not (tmp_path / "x.pdf").exists()
    result = runner.invoke(args=["export", str(evening.meetup.id), "--format", "docx",
                                 "-o", str(tmp_path / "x.docx")])
    assert result.exit_code != 0
    assert "docx" in result.output
