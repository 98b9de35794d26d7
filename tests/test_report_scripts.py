"""Every script people write their names and notes in prints and extracts back as typed.

Both PDFs (the report and the follow-up) get an owner, a partner, a note and a contact in each
script. A page passes when every character is drawn by a real glyph of the font that draws it
(no empty box) and when pypdf and pdftotext give the text back exactly.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from meetup.extensions import db
from meetup.reports.data import gather_report
from meetup.reports.followup_pdf import build_followup_pdf
from meetup.reports.pdf import build_report_pdf
from meetup.reports.scripts import drawn_line, visual_order
from tests.report_factories import add_agreement, add_note, add_participant, add_table, \
    make_meetup

#: One name per script a Dutch meetup sees, and a line that mixes Dutch and Arabic.
NAMES = {
    "latin": "Zoë Ørjan Ærøe Ñúñez Ğüç",
    "turkish": "Şükrü Yılmaz",
    "polish": "Łukasz Dąbrowski",
    "arabic": "محمد الحسن",
    "persian": "فاطمه رضایی",
    "tigrinya": "ሰላም ተስፋይ",
    "amharic": "አበበ በቀለ",
    "cyrillic": "Дмитрий Иванов",
    "chinese": "王芳",
    "vietnamese": "Nguyễn Thị Hương",
}
MIXED = "Overleg met محمد الحسن over de brugklas"
MIXED_COMMA = "Trekker: Daan محمد الحسن, Organisatie Noord"
EMOJI_NOTE = "Goed idee 😀 👍 🎉"

#: Directional marks that pdftotext puts around right-to-left runs; they are not text.
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")


def _normal(text: str) -> str:
    return " ".join(_BIDI_MARKS.sub("", text).split())


def pypdf_text(pdf: bytes) -> str:
    return _normal(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True)
    return _normal(out.stdout.decode("utf-8"))


def empty_boxes(pdf: bytes) -> list[str]:
    """Characters drawn with no glyph (.notdef) or an empty outline in the font drawing them.

    pypdf hands over every text run with the font that draws it; the font's ToUnicode map
    gives the code of each character, the embedded subset gives the glyph of that code.
    """
    problems: list[str] = []
    fonts: dict[str, tuple[dict[str, int], dict[int, str], TTFont]] = {}

    def font_info(font: dict) -> tuple[dict[str, int], dict[int, str], TTFont]:
        name = str(font["/BaseFont"])
        if name not in fonts:
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), \
                f"{name} is not embedded"
            tt = TTFont(io.BytesIO(descriptor.get_object()["/FontFile2"].get_data()))
            body = font["/ToUnicode"].get_object().get_data().decode().split("beginbfchar")[1]
            codes = {}
            for code, target in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]+)>", body):
                text = bytes.fromhex(target).decode("utf-16-be")
                if text != "\x00":
                    codes.setdefault(text, int(code, 16))
            fonts[name] = (codes, tt["cmap"].tables[0].cmap, tt)
        return fonts[name]

    def visit(text: str, _cm: object, _tm: object, font: dict | None, _size: object) -> None:
        if font is None or not text.strip():
            return
        codes, cmap, tt = font_info(font)
        for char in text:
            if unicodedata.category(char) in ("Zs", "Cc", "Cf"):
                continue
            code = codes.get(char)
            if code is None:
                code = next((c for t, c in codes.items() if char in t), None)
            glyph = cmap.get(code) if code is not None else None
            if glyph is None or tt.getGlyphID(glyph) == 0 \
                    or tt["glyf"][glyph].numberOfContours == 0:
                problems.append(f"{font['/BaseFont']}: {char!r} (U+{ord(char):04X})")

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return problems


@pytest.fixture
def multiscript_report(app):
    meetup = make_meetup(title="Meetup 王芳 en محمد", city="Hilversum")
    table = add_table(meetup, "taal", 1)
    for i, (script, name) in enumerate(NAMES.items()):
        add_participant(meetup, name, organisation=f"Organisatie {name}",
                        email=f"{script}@example.org", consent=True, table=table)
        add_agreement(meetup, table=table, what=f"Afspraak {script}: {name}", owner_name=name,
                      owner_organisation=f"School {name}", partners=[name],
                      first_step=f"Bellen met {name}", success_measure=f"{name} is tevreden",
                      due_date=date(2027, 1, 1 + i))
        add_note(table, f"Notitie van {name}")
    add_note(table, MIXED)
    add_note(table, MIXED_COMMA)
    add_note(table, EMOJI_NOTE)
    add_agreement(meetup, table=table, what=MIXED, owner_name=NAMES["arabic"])
    db.session.commit()
    return gather_report(db.session, meetup)


@pytest.mark.parametrize("builder", [build_report_pdf, build_followup_pdf])
def test_every_script_extracts_exactly_and_draws_real_glyphs(multiscript_report, builder):
    pdf = builder(multiscript_report)
    assert empty_boxes(pdf) == []
    for extract in (pypdf_text, pdftotext):
        text = extract(pdf)
        for script, name in NAMES.items():
            assert name in text, (extract.__name__, script)
        # A Dutch line with an Arabic name inside, in the follow-up PDF too: pdftotext keeps
        # the space after the name outside the name (a left-to-right mark ends the run).
        assert MIXED in text, extract.__name__
        if builder is build_report_pdf and extract is pdftotext:
            assert MIXED_COMMA in text
        elif builder is build_report_pdf:
            # pypdf's own bidi guess takes the ", " after a right-to-left run into the run
            # (it reads "الحسن ,Organisatie"); the words come back in order.
            assert MIXED_COMMA.replace(",", "") in " ".join(text.replace(",", " ").split())
        if builder is build_report_pdf:
            assert EMOJI_NOTE in text, extract.__name__


def test_the_pdf_names_only_fonts_it_embeds(multiscript_report):
    out = subprocess.run(["pdffonts", "-"], input=build_report_pdf(multiscript_report),
                         capture_output=True, check=True, text=False)
    rows = out.stdout.decode().splitlines()[2:]
    assert rows
    for row in rows:
        assert " yes yes yes " in row, row  # embedded, subset, with a ToUnicode map


def test_a_character_no_font_has_prints_a_readable_name(app):
    from meetup.reports.pdf_base import make_styles, para
    from meetup.reports.pdf_doc import render

    pdf, _pages = render([para("Start \U0001fad6 klaar", make_styles().body)], title="t",
                         author="a", subject="s", furniture=lambda canv, doc: None)
    assert "[teapot]" in pypdf_text(pdf)
    assert empty_boxes(pdf) == []


def test_right_to_left_words_are_drawn_right_to_left_within_a_dutch_line():
    assert visual_order(["Trekker", "محمد", "الحسن", "van", "school"], "L") == \
        ["Trekker", "الحسن", "محمد", "van", "school"]
    assert visual_order(["محمد", "الحسن", "OBS", "Noord"], "R") == \
        ["OBS", "Noord", "الحسن", "محمد"]


def test_punctuation_after_a_right_to_left_name_stays_on_the_dutch_side():
    """"Daan محمد الحسن, Organisatie": the comma belongs to the Dutch sentence, so it is drawn
    right of the name (Unicode's bidi rules), not pulled into the name's right-to-left run."""
    drawn = [text for _face, text in drawn_line("Daan محمد الحسن, Organisatie", False)]
    assert drawn[0] == "Daan "
    assert "," not in drawn[1]  # the name, shaped, in drawing order
    assert drawn[2].lstrip("\u200e").startswith(", Organisatie")
    # Within a right-to-left sentence the comma between two Arabic words stays between them.
    inside = "".join(text for _face, text in drawn_line("محمد, الحسن", False))
    assert inside.count(",") == 1 and not inside.startswith(",") and not inside.endswith(",")
