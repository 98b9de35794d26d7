"""The PDF report, built from gathered data alone: what the municipality reads in it."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from meetup.extensions import db
from meetup.reports.data import gather_report
from meetup.reports.pdf import build_report_pdf, build_report_pdf_with_pages
from tests.report_factories import (
    UNICODE_NAMES,
    VOTER_NAME,
    add_agreement,
    add_note,
    add_table,
    make_evening,
    make_meetup,
    pdf_text,
)


@pytest.fixture
def evening(app):
    evening = make_evening()
    db.session.commit()
    return evening


@pytest.fixture
def report_pdf(evening) -> bytes:
    return build_report_pdf(gather_report(db.session, evening.meetup))


def test_every_finalised_agreement_and_its_owner_is_in_the_pdf(evening, report_pdf) -> None:
    text = pdf_text(report_pdf)
    for agreement in evening.agreements:
        assert agreement.what in text
        assert agreement.owner_name in text
        assert agreement.owner_organisation in text
    assert "CONCEPTAFSPRAAK" not in text
    assert "VERWIJDERDE AFSPRAAK" not in text


def test_unicode_names_extract_exactly(report_pdf) -> None:
    text = pdf_text(report_pdf)
    for name in UNICODE_NAMES:
        assert name in text, name


def test_names_of_people_who_did_not_consent_never_appear(evening, report_pdf) -> None:
    text = pdf_text(report_pdf)
    for participant in evening.not_consenting:
        assert participant.display_name not in text
        assert participant.email not in text
    assert VOTER_NAME not in text
    # The consenting people are in the contact list, with their e-mail address.
    for participant in evening.consenting:
        assert participant.email in text


def test_hidden_and_deleted_notes_are_left_out(evening, report_pdf) -> None:
    text = pdf_text(report_pdf)
    assert "Geen tolk bij oudergesprekken" in text
    assert "VERBORGEN NOTITIE" not in text
    assert "VERWIJDERDE NOTITIE" not in text


def test_sections_headers_page_numbers_and_privacy_rule(report_pdf) -> None:
    reader = PdfReader(io.BytesIO(report_pdf))
    text = pdf_text(report_pdf)
    for heading in ("In één oogopslag", "Thema: Taal centraal", "Actielijst",
                    "Netwerk rond het kind", "Bijlage A: alle notities",
                    "Bijlage B: contactlijst", "Centrale vraag", "Meeste stemmen"):
        assert heading in text, heading
    assert "Namen alleen met toestemming" in text
    pages = len(reader.pages)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"pagina {pages} van {pages}" in last
    assert "Meetup Hilversum · Afsprakenrapport" in reader.pages[1].extract_text()


def test_metadata_language_and_bookmarks(report_pdf) -> None:
    reader = PdfReader(io.BytesIO(report_pdf))
    assert reader.metadata.title == "Afsprakenrapport Meetup Hilversum"
    assert reader.metadata.author == "Olga Organisator"
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "In één oogopslag" in titles
    assert "Actielijst" in titles
    assert "Thema: Taal centraal" in titles
    # The bookmark of the action list points at the page that shows it.
    item = next(i for i in reader.outline if not isinstance(i, list) and i.title == "Actielijst")
    page = reader.get_destination_page_number(item)
    assert "Alle afspraken op datum" in reader.pages[page].extract_text()


def test_the_font_is_embedded(report_pdf) -> None:
    reader = PdfReader(io.BytesIO(report_pdf))
    embedded = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]))
    assert any("DejaVuSans" in name for name in embedded), embedded
    assert any("DejaVuSans-Bold" in name for name in embedded), embedded


def test_the_action_list_is_sorted_by_due_date(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    dates = [a.due_date for a in report.action_list]
    assert dates == sorted(d for d in dates if d) + [None] * dates.count(None)
    text = pdf_text(build_report_pdf(report))
    actions = text[text.index("Alle afspraken op datum"):text.index("Welke organisaties zich")]
    assert actions.index("januari 2027") < actions.index("15-01-2027") \
        < actions.index("februari 2027") < actions.index("01-02-2027") \
        < actions.index("Zonder datum") < actions.index("Warme overdracht PO-VO")


def test_markup_typed_by_users_prints_literally(app, tmp_path: Path) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "taal", 1)
    evil_note = '<img src="/etc/passwd"/> <a href="https://evil.example">klik</a> & <b>vet'
    add_note(table, evil_note)
    add_agreement(meetup, table=table, what='<font size="80">GROOT</font> & <link href="x">',
                  owner_name="<b>Eva</b>")
    db.session.commit()
    pdf = build_report_pdf(gather_report(db.session, meetup))
    text = pdf_text(pdf)
    assert '<img src="/etc/passwd"/>' in text
    assert '<font size="80">GROOT</font>' in text
    assert "<b>Eva</b>" in text
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            assert action is None or "/URI" not in action.get_object()
        assert "/XObject" not in page["/Resources"] or all(
            x.get_object()["/Subtype"] != "/Image"
            for x in page["/Resources"]["/XObject"].values())


def test_a_meetup_without_anything_still_gives_a_report(app) -> None:
    meetup = make_meetup(title="Lege meetup", city="", venue="")
    db.session.commit()
    pdf, pages = build_report_pdf_with_pages(gather_report(db.session, meetup))
    text = pdf_text(pdf)
    assert "Lege meetup" in text
    assert "Er zijn (nog) geen afspraken vastgelegd." in text
    assert "Niemand koos dit thema" in text
    assert "Niemand gaf toestemming" in text
    assert pages >= 5


def test_long_cells_wrap_and_long_tables_repeat_their_header(app) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "zorg", 1)
    long_what = "Heel lange afspraak " * 300 + "EINDE"
    add_agreement(meetup, table=table, what=long_what, owner_name="Lange Lotte")
    for i in range(120):
        add_agreement(meetup, table=table, what=f"Afspraak nummer {i:03d}",
                      due_date=date(2027, 1, 1 + i % 28))
    db.session.commit()
    report = gather_report(db.session, meetup)
    pdf, pages = build_report_pdf_with_pages(report)
    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    assert "EINDE" in text
    assert all(f"Afspraak nummer {i:03d}" in text for i in range(120))
    header = "Hoe weten we dat het gelukt is?"
    pages_with_header = [i for i, p in enumerate(reader.pages)
                         if header in " ".join(p.extract_text().split())]
    assert len(pages_with_header) >= 3
    assert pages > 6


def test_a_running_meetup_says_it_is_an_interim_state(evening) -> None:
    from meetup.models import Phase

    evening.meetup.phase = Phase.ROUND_2
    db.session.commit()
    text = pdf_text(build_report_pdf(gather_report(db.session, evening.meetup)))
    assert "Tussenstand: de meetup loopt nog (fase: ronde 2)" in text


def test_the_pdf_renders_to_png(report_pdf, tmp_path: Path) -> None:
    source = tmp_path / "rapport.pdf"
    source.write_bytes(report_pdf)
    result = subprocess.run(["pdftoppm", "-r", "50", "-png", str(source), str(tmp_path / "p")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(PdfReader(io.BytesIO(report_pdf)).pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_the_builder_needs_no_database(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    db.session.remove()
    db.engine.dispose()
    renamed = replace(report, title="Zonder database")
    assert "Zonder database" in pdf_text(build_report_pdf(renamed))


def test_a_theme_with_only_drafts_says_so_and_the_cover_has_the_totals(app) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "taal", 1)
    add_agreement(meetup, table=table, what="Nog niet af", status="draft")
    add_agreement(meetup, table=table, what="Ook nog niet af", status="draft")
    db.session.commit()
    report = gather_report(db.session, meetup)
    assert report.themes[0].draft_count == 2
    text = pdf_text(build_report_pdf(report))
    assert "2 afspraken staan nog in concept" in text
    assert "0 deelnemers, 1 tafel, 0 notities, 0 afgeronde afspraken en 2 conceptafspraken" \
        in text


def test_full_width_tables_stay_inside_the_right_margin(evening) -> None:
    from meetup.reports.pdf_base import CONTENT_WIDTH, MARGIN
    from meetup.reports.pdf_doc import ReportDoc

    doc = ReportDoc(io.BytesIO(), lambda canv, doc: None)
    frame = doc.pageTemplates[0].frames[0]
    assert frame._getAvailableWidth() == pytest.approx(CONTENT_WIDTH)
    assert frame._x1 == pytest.approx(MARGIN)


def test_agreement_cards_never_split_and_a_giant_card_says_vervolg(app) -> None:
    meetup = make_meetup()
    table = add_table(meetup, "zorg", 1)
    add_agreement(meetup, table=table, what="Heel lange afspraak " * 300 + "EINDE",
                  owner_name="Lange Lotte")
    for i in range(40):
        add_agreement(meetup, table=table, what=f"Afspraak nummer {i:03d} " * (1 + i % 7),
                      success_measure="Gemeten " * (i % 11), due_date=date(2027, 1, 1 + i % 28))
    db.session.commit()
    pdf = build_report_pdf(gather_report(db.session, meetup))
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    card_pages = [p for p in pages if "Afspraak #" in p]
    # The giant card (#1) fills a page and continues, with the marker, on the next one.
    assert "(vervolg)" in card_pages[1] and "Afspraak #1 (vervolg)" in card_pages[1]
    assert "EINDE" in " ".join(card_pages)
    for page in card_pages[1:]:
        # Every card that starts on a page also ends on it: one "Doen mee" row per card.
        # (A continued card may end on the page too.)
        continued = page.count("(vervolg)")
        starts = page.count("Afspraak #") - continued
        assert starts <= page.count("Doen mee") <= starts + continued, page[:200]
    # Body text of the cards is at least 9 pt.
    from meetup.reports.pdf_base import make_styles
    styles = make_styles()
    assert min(styles.card.fontSize, styles.card_label.fontSize, styles.cell.fontSize) >= 9


def test_only_a_card_taller_than_a_page_says_vervolg(app) -> None:
    """Sixty cards of mixed heights after one giant card: many reach the foot of a page.
    Each of them moves to the next page whole; only the giant card (#1) continues, so
    "(vervolg)" is written for it alone, and every other card's heading is on one page."""
    import re

    meetup = make_meetup()
    table = add_table(meetup, "taal", 1)
    add_agreement(meetup, table=table, what="Heel lange afspraak " * 300 + "EINDE")
    for i in range(60):
        add_agreement(meetup, table=table, what=f"Afspraak nummer {i:03d} " * (1 + i % 9),
                      first_step="Eerst bellen " * (i % 5),
                      success_measure="Gemeten " * (i % 13))
    db.session.commit()
    pdf = build_report_pdf(gather_report(db.session, meetup))
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    headings = [(page, int(number), bool(continued)) for page, text in enumerate(pages)
                for number, continued in re.findall(r"Afspraak #(\d+)( \(vervolg\))?", text)]
    assert sorted({number for _page, number, _continued in headings}) == list(range(1, 62))
    assert len({page for page, _number, _continued in headings}) >= 5  # cards met page ends
    assert {number for _page, number, continued in headings if continued} == {1}
    pages_of = {number: {page for page, n, _ in headings if n == number}
                for number in range(2, 62)}
    assert {number: found for number, found in pages_of.items() if len(found) != 1} == {}
    assert sum(text.count("(vervolg)") for text in pages) == \
        sum(1 for _page, _number, continued in headings if continued)


def test_the_contents_lists_page_numbers_that_match_the_bookmarks(report_pdf) -> None:
    reader = PdfReader(io.BytesIO(report_pdf))
    cover = " ".join(reader.pages[0].extract_text().split())
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert len(top) >= 6
    for item in top[1:]:  # the first bookmark is the cover itself
        page = reader.get_destination_page_number(item) + 1
        assert f"{item.title} {page}" in cover, (item.title, page)
