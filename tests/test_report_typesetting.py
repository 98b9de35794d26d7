"""The report typeset as a municipality files it: what a reader copies out of the PDF is what
was typed (no e-mail address or word broken over two lines where it fits), and no heading
stands alone at the bottom of a page.

Text comes out of the PDF with poppler's ``pdftotext -layout``, as a reader's copy would: a
word broken over two lines comes out as two pieces on two lines.
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from meetup.extensions import db
from meetup.reports.cards import agreement_card
from meetup.reports.data import gather_report
from meetup.reports.followup_pdf import build_followup_pdf
from meetup.reports.pdf import build_report_pdf
from meetup.reports.pdf_base import make_styles, para, subheading
from meetup.reports.pdf_doc import page_furniture, render
from tests.report_factories import add_agreement, add_participant, add_table, make_evening

EMAILS = (
    "secretariaat.jeugdgezondheidszorg@ggdgooienvechtstreek.nl",
    "annemarie.van-der-heijden@samenwerkingsverband-gooi.nl",
    "a@b.nl",
)
#: An address so long that the table cannot give it room in the usual type.
VERY_LONG_EMAIL = "annemarie.van-der-heijden.bakker@samenwerkingsverband-gooi-en-vechtstreek.nl"
LONG_ORGANISATION = "Samenwerkingsverband Passend Onderwijs Gooi- en Vechtstreek"
COMPOUND = "Jeugdgezondheidszorgorganisatie"


def layout_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf,
                            capture_output=True, timeout=60, check=True)
    return result.stdout.decode("utf-8")


def words(pdf: bytes) -> set[str]:
    """Every word a reader can copy, as pdftotext finds them (split at spaces and lines)."""
    return set(layout_text(pdf).split())


def assert_never_broken(pdf: bytes, *phrases: str) -> None:
    """Every time a phrase's long word is in the PDF at all, a reader copies it whole.

    pypdf gives the text in drawing order, where a cell's lines follow each other: a word
    broken over two lines is found only once the line breaks are taken out."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    squashed = "".join(text.split())
    for word in {w for phrase in phrases for w in phrase.split() if len(w) > 5}:
        assert squashed.count(word), word
        assert text.count(word) == squashed.count(word), word


@pytest.fixture
def evening(app):
    evening = make_evening()
    table = add_table(evening.meetup, "zorg", 4)
    for i, email in enumerate(EMAILS):
        add_participant(evening.meetup, f"Lange Adres {i}", role="ggd_jgz",
                        organisation=LONG_ORGANISATION if i else COMPOUND, email=email,
                        consent=True, table=table)
    add_agreement(evening.meetup, table=table, what="Gezamenlijk spreekuur op school",
                  owner_name="Lange Adres 1", owner_organisation=LONG_ORGANISATION,
                  partners=[COMPOUND, "Bibliotheek"], due_date=date(2027, 4, 1))
    add_agreement(evening.meetup, table=table, what="Inloop voor ouders met vragen",
                  owner_name="Lange Adres 0", owner_organisation=COMPOUND,
                  due_date=date(2027, 5, 1))
    db.session.commit()
    return evening


@pytest.fixture
def report_pdf(evening) -> bytes:
    return build_report_pdf(gather_report(db.session, evening.meetup))


def test_every_e_mail_address_copies_whole_from_the_contact_list(report_pdf) -> None:
    text = layout_text(report_pdf)
    contacts = text[text.rindex("Bijlage B: contactlijst"):]
    for email in EMAILS:
        assert email in contacts.split(), email
    copied = set(re.findall(r"\S+@\S+", contacts))
    assert copied == {*EMAILS, *(f"persoon{i}@example.org" for i in range(5))}


def test_an_address_too_long_for_its_column_gets_smaller_type_not_a_break(app) -> None:
    evening = make_evening()
    add_participant(evening.meetup, "Annemarie", organisation="Samenwerkingsverband",
                    email=VERY_LONG_EMAIL, consent=True, theme_key="taal")
    db.session.commit()
    text = layout_text(build_report_pdf(gather_report(db.session, evening.meetup)))
    assert VERY_LONG_EMAIL in text[text.rindex("Bijlage B: contactlijst"):].split()


def test_column_headers_never_break_inside_a_word(evening, report_pdf) -> None:
    found = words(report_pdf)
    for header in ("De grote oversteek", "Zorg vs. lesgeven", "Stemmen", "Deelnemers",
                   "Organisatie", "Trekker van", "Partner in", "Wanneer", "Eerste stap"):
        for word in header.split():
            assert word in found, word
    text = layout_text(report_pdf)
    assert not re.search(r"\b(overstee|lesgeve|Stemme)\s*$", text, re.MULTILINE)


def test_long_organisation_names_break_between_words_only(report_pdf) -> None:
    assert_never_broken(report_pdf, LONG_ORGANISATION, COMPOUND, *EMAILS)


def test_the_follow_up_pdf_keeps_words_whole_too(evening) -> None:
    pdf = build_followup_pdf(gather_report(db.session, evening.meetup))
    assert_never_broken(pdf, "Laatste melding", LONG_ORGANISATION, COMPOUND)


def test_a_word_longer_than_any_column_still_prints_whole_in_the_pdf(app) -> None:
    """A 60-letter 'word' in a note cannot fit its column: it breaks (nothing is lost)."""
    evening = make_evening()
    monster = "Ouderbetrokkenheidsbijeenkomstenvoorbereidingscommissieleden"
    add_agreement(evening.meetup, what=f"Plan {monster} klaar", theme_key="taal",
                  first_step=monster)
    db.session.commit()
    text = "".join(layout_text(build_report_pdf(gather_report(db.session,
                                                              evening.meetup))).split())
    assert monster in text


def _heading_then_card(filler: float) -> bytes:
    """A page filled down to ``filler`` mm, then the heading "Afspraken" and a card."""
    s = make_styles()
    evening_card = agreement_card(_row(), s)
    story = [Spacer(1, filler * mm), para("Vulling", s.body),
             *subheading("Afspraken", s.h2), evening_card]
    pdf, _pages = render(story, title="t", author="a", subject="s",
                         furniture=page_furniture("kop", "rechts", "voet"))
    return pdf


def _row():
    from datetime import UTC, datetime

    from meetup.reports.data import AgreementRow

    return AgreementRow(
        id=1, number=1, theme_key="taal", theme_title="Taal centraal", table_number=1,
        what="Voorleesouders op elke basisschool " * 6, owner_name="Anna",
        owner_organisation="Bibliotheek", partners=("GGD", "Buurtteam"),
        first_step="Rooster maken " * 8, due_date=date(2027, 2, 1),
        success_measure="Elke klas heeft een voorleesouder " * 6, status="planned",
        signed_on=3, followup_token="", finalised_at=None,
        updated_at=datetime(2026, 12, 3, tzinfo=UTC), updates=())


def test_a_heading_never_stands_alone_at_the_bottom_of_a_page() -> None:
    """Whatever room is left on the page, "Afspraken" is on the page of its first card."""
    moved = 0
    for filler in range(150, 232, 6):
        reader = PdfReader(io.BytesIO(_heading_then_card(filler)))
        pages = [" ".join(p.extract_text().split()) for p in reader.pages]
        heading_page = next(i for i, t in enumerate(pages) if "Afspraken" in t)
        assert "Voorleesouders op elke basisschool" in pages[heading_page], filler
        moved += heading_page == 1
    assert moved  # some fillers leave too little room for the card: the heading moved along
