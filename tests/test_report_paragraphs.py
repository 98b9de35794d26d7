"""The report's fast paragraphs print exactly what reportlab's own paragraphs print.

:class:`meetup.reports.paragraphs.PlainParagraph` breaks lines and writes the PDF text itself
(a long report builds faster); a reader must see the same page: the same lines, at the same
places, in the same font and colour. So each case is drawn twice, once by reportlab's
Paragraph and once by PlainParagraph, and the page contents must be identical. Likewise the
fragments made without reportlab's markup parser are the parser's own.
"""

from __future__ import annotations

import io
import random

import pytest
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText

from meetup.reports.fonts import BOLD
from meetup.reports.pdf_base import ACCENT, HEAD_BG, INK, LINE, ZEBRA, Plain, _template_frag, \
    data_table, make_styles, para, script_markup
from meetup.reports.paragraphs import PlainParagraph, clean_text

WORDS = ("voorlezen ouders school bibliotheek taal overdracht buurtteam leerplicht jongerenwerk "
         "huiswerk kinderopvang peuters mentor zorg gesprek tolk Şükrü Łukasz Nguyễn Ødegård "
         "(a) [b] back\\slash 12,5% €40 a.b@example.org").split()


def _page(paragraphs: list[tuple[Paragraph, float]]) -> str:
    """The content stream of one page with the paragraphs drawn in a column."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0, initialFontName=make_styles().body.fontName)
    y = 800.0
    for paragraph, width in paragraphs:
        _w, height = paragraph.wrapOn(canvas, width, 800)
        y -= height + 2
        paragraph.drawOn(canvas, 30, y)
    code = canvas._code[:]
    canvas.showPage()
    return "\n".join(code)


def _both(text: str, style: ParagraphStyle, width: float) -> tuple[Paragraph, Paragraph]:
    frag = _template_frag(style)
    return (Paragraph(text, style, frags=[frag.clone(text=text)]),
            PlainParagraph(text, style, frags=[frag.clone(text=text)]))


@pytest.mark.parametrize("style_name", ["cell", "cell_num", "card", "card_what", "h1",
                                        "bullet", "muted"])
def test_plain_paragraphs_break_and_draw_like_reportlab(style_name: str) -> None:
    style = getattr(make_styles(), style_name)
    rng = random.Random(style_name)
    theirs, ours = [], []
    for _ in range(60):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        width = rng.choice([40, 60, 90, 120.5, 160, 300])
        reportlab_para, plain = _both(text, style, width)
        theirs.append((reportlab_para, width))
        ours.append((plain, width))
    assert _page(ours) == _page(theirs)


def test_lines_that_only_fit_by_shrinking_spaces_are_the_same() -> None:
    """reportlab lets a line run 5% of a space per gap over the width (then narrows the
    spaces): those lines must break and look the same."""
    style = make_styles().cell
    text = "taal overdracht buurtteam leerplicht"
    base = Paragraph(text, style).minWidth()
    cases = []
    for step in range(200):
        width = base + step * 0.37
        cases.append(_both(text, style, width) + (width,))
    theirs = _page([(a, w) for a, _b, w in cases])
    ours = _page([(b, w) for _a, b, w in cases])
    assert " Tw" in theirs  # some lines did shrink their spaces
    assert ours == theirs


def test_edge_cases_print_the_same() -> None:
    """A word wider than the column (split), a no-break space, a soft hyphen, a colour with
    transparency (these go to reportlab), a right-aligned number and an empty cell."""
    styles = make_styles()
    faded = ParagraphStyle("faded", parent=styles.cell, textColor=Color(0.2, 0.3, 0.4, 0.5))
    cases = [
        ("Kinderopvangtoeslagaanvraagformulier en meer", styles.cell, 50),
        ("twaalf\xa0uur  's middags op school", styles.cell, 60),
        ("kinder\xadopvang\xadtoeslag en huiswerk", styles.cell, 45),
        ("een beetje doorzichtig", faded, 80),
        ("rechts uitgelijnd getal 1234", styles.cell_num, 50),
        ("   ", styles.cell, 50),
    ]
    theirs = _page([(_both(t, s, w)[0], w) for t, s, w in cases])
    ours = _page([(_both(t, s, w)[1], w) for t, s, w in cases])
    assert ours == theirs


def test_para_uses_the_fast_paragraph_for_plain_text_only() -> None:
    styles = make_styles()
    assert isinstance(para("Gewone tekst", styles.cell), PlainParagraph)
    assert not isinstance(para("twee\nregels", styles.cell), PlainParagraph)
    assert not isinstance(para("محمد الحسن", styles.cell), PlainParagraph)


@pytest.mark.parametrize("text", [
    "Łukasz 明, Organisatie 103", "王 Čapek", "Sanne محمد الحسن\nOrganisatie 70",
    "Goed idee 😀 👍 en ቋንቋ ንወለድቲ", "Родители не понимают письма школы 家长需要翻译",
    "a & b <c> 王", "twee  spaties 明", " 明 voorop", "明\n\nlege regel"])
def test_text_in_other_scripts_gets_the_parsers_fragments(text: str) -> None:
    """Runs in fallback fonts become fragments without reportlab's parser (a long report
    builds faster): the same fragments the parser makes of the markup, or the parser itself."""
    for style in (make_styles().cell, make_styles().card_what):
        markup, frags = script_markup(text.split("\n"), style.fontName == BOLD, style)
        parsed = Paragraph(markup, style).frags
        if frags is not None:
            assert [f.__dict__ for f in frags] == [f.__dict__ for f in parsed]
        else:
            assert text in ("a & b <c> 王", "twee  spaties 明", " 明 voorop", "明\n\nlege regel")


def test_empty_cells_are_what_the_parser_makes_of_them() -> None:
    style = make_styles().cell
    for text in ("", "   "):
        assert para(text, style).frags == Paragraph(text, style).frags == []


def test_text_is_cleaned_like_reportlab_cleans_it() -> None:
    """Spaces, tabs, line breaks and the odd Unicode spaces collapse exactly as in reportlab."""
    rng = random.Random(3)
    pieces = ["a", "Ørjan", "12", " ", "  ", "\t", "\n", "\xa0", "\u2009", "\u200b", "\u3000",
              "\x85", "\u2028", "x\ny", ""]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert clean_text(text) == cleanBlockQuotedText(text), repr(text)


def _reportlab_table(header: list[str], rows: list[list[object]], widths: list[float],
                     numeric: tuple[int, ...]) -> LongTable:
    """The report's data table as reportlab draws it: style commands, its own cell drawing."""
    styles = make_styles()
    data = [[Paragraph(h, styles.cell_head_num if i in numeric else styles.cell_head)
             for i, h in enumerate(header)]]
    data += [[cell if isinstance(cell, Plain) else
              Paragraph(str(cell), styles.cell_num if i in numeric else styles.cell)
              for i, cell in enumerate(row)] for row in rows]
    return LongTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle([
        ("FONT", (0, 0), (-1, -1), styles.cell.fontName, styles.cell.fontSize,
         styles.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        *[("ALIGN", (column, 0), (column, -1), "RIGHT") for column in numeric],
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
    ]))


def _document(table: LongTable) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=1, pageCompression=0,
                            initialFontName=make_styles().cell.fontName)
    doc.build([table])
    return buffer.getvalue()


def test_a_long_data_table_looks_as_reportlab_draws_it() -> None:
    """Cells drawn by the report's table (ready cell styles, plain cells drawn directly) are
    the cells reportlab draws from style commands: three pages, header repeated."""
    rng = random.Random(5)
    rows = [[Plain(f"{rng.randint(1, 28)} jan"), Plain(rng.randint(1, 500)),
             " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))),
             Plain("twee\nregels") if index % 7 == 0 else Plain(""),
             str(rng.randint(0, 9))] for index in range(160)]
    widths = [60.0, 30.0, 185.0, 80.0, 55.0]  # wide enough for every word: kept as given
    header = ["Wanneer", "#", "Afspraak", "Status", "Stemmen"]
    ours = _document(data_table(header, rows, widths, make_styles(), numeric=(1, 4)))
    theirs = _document(_reportlab_table(header, rows, widths, (1, 4)))
    assert ours.count(b"/Type /Page\n") >= 3
    assert ours == theirs
