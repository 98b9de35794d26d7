"""The agreement report for the municipality as an A4 PDF: a pure function of a Report.

Cover, "In één oogopslag", one chapter per theme (with the groups of notes the organiser
confirmed for the plenary, standing in for the per-table notes of the rounds they cover),
"Actielijst", "Netwerk rond het kind", and appendices with every visible note per table and
the contact list (only people who consented).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from meetup.reports import texts
from meetup.reports.cards import agreement_card, owner_label
from meetup.reports.columns import NoBreak
from meetup.reports.data import AgreementRow, NoteRow, Report, ThemeSection
from meetup.reports.network_pdf import network_figure
from meetup.reports.pdf_base import (
    ACCENT,
    CONTENT_WIDTH,
    HEAD_BG,
    LINE,
    Plain,
    Styles,
    data_table,
    heading,
    make_styles,
    para,
    para_with_note,
    subheading,
)
from meetup.reports.pdf_comparison import comparison_chapter
from meetup.reports.pdf_doc import TocEntry, no_gc, page_furniture, render
from meetup.reports.pdf_groups import groups_section
from meetup.reports.pdf_standing import figures, standing_figures

#: How many notes a theme chapter shows per list; the appendix always has all of them.
HAPPENS_PER_TABLE = 8
NOTES_PER_ROUND = 10


def build_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    return build_report_pdf_with_pages(report)[0]


def build_report_pdf_with_pages(report: Report) -> tuple[bytes, int]:
    """The report as PDF bytes, and its number of pages."""
    with no_gc():
        return _build(report)


def _build(report: Report) -> tuple[bytes, int]:
    s = make_styles()
    story: list[Flowable] = []
    story += _cover(report, s)
    story += _glance(report, s)
    story += comparison_chapter(report.comparison, s)
    for index, section in enumerate(report.themes):
        story += _theme(report, section, index, s)
    story += _action_list(report, s)
    story += _network(report, s)
    story += _appendix_notes(report, s)
    story += _contacts(report, s)
    when = texts.long_date(report.starts_at)
    furniture = page_furniture(
        header_left=f"{report.title} · Afsprakenrapport",
        header_right=", ".join(p for p in (report.city, when) if p),
        footer_left=texts.PRIVACY_SHORT,
    )
    return render(story, title=f"Afsprakenrapport {report.title}",
                  author=report.organiser_name or "Meetup Kansenongelijkheid",
                  subject=f"Afspraken van {report.title}"
                          + (f", {report.city}" if report.city else ""),
                  furniture=furniture)


def drafts_sentence(n: int) -> str:
    """"1 afspraak staat nog in concept ..." for a theme or a meetup."""
    what = "1 afspraak staat" if n == 1 else f"{n} afspraken staan"
    return f"{what} nog in concept; concepten tellen niet mee in dit rapport."


def totals_sentence(report: Report) -> str:
    """The meetup's totals in one sentence, for the cover."""
    def n(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"
    return (f"{n(report.participants_total, 'deelnemer', 'deelnemers')}, "
            f"{n(report.table_count, 'tafel', 'tafels')}, "
            f"{n(report.note_count, 'notitie', 'notities')}, "
            f"{n(report.agreement_count, 'afgeronde afspraak', 'afgeronde afspraken')} en "
            f"{n(report.draft_count, 'conceptafspraak', 'conceptafspraken')}.")


def _cover(report: Report, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [Spacer(1, 30 * mm)]
    story += heading("Afsprakenrapport", s.h1, "cover", 0)
    story.append(para(report.title, s.title))
    facts = [
        ("Plaats", report.city),
        ("Locatie", report.venue),
        ("Datum", texts.long_date(report.starts_at)
         + (f", {texts.clock(report.starts_at)} uur" if report.starts_at else "")),
        ("Organisator", report.organiser_name),
    ]
    rows = [[para(label, s.h3), para(value or "–", s.subtitle)] for label, value in facts]
    table = Table(rows, colWidths=[35 * mm, CONTENT_WIDTH - 35 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), s.body.fontName), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE)]))
    story += [table, Spacer(1, 8 * mm)]
    if report.is_closed:
        state = f"Stand op {texts.local_time(report.generated_at)}."
    else:
        state = (f"Tussenstand: de meetup loopt nog (fase: "
                 f"{texts.PHASE.get(report.phase, report.phase)}). "
                 f"Gemaakt op {texts.local_time(report.generated_at)}.")
    story.append(para(state, s.muted))
    story.append(para(f"In totaal: {totals_sentence(report)}", s.body))
    story.append(para(
        "De gemeente leest hier in één oogopslag wie wat heeft toegezegd, met wie en "
        "wanneer. Alleen afgeronde afspraken staan erin; afspraken die aan tafel nog in "
        "concept staan, tellen niet mee.", s.body))
    story.append(para(texts.PRIVACY, s.body))
    story.append(Spacer(1, 4 * mm))
    story.append(para("Inhoud", s.h2))
    entries = [("glance", "In één oogopslag")]
    if report.comparison is not None:
        entries.append(("comparison", "Wat werd er van de vorige afspraken?"))
    entries += [(f"theme-{i}", f"Thema: {t.title}") for i, t in enumerate(report.themes)]
    entries += [("actions", "Actielijst"), ("network", "Netwerk rond het kind"),
                ("notes", "Bijlage A: alle notities"), ("contacts", "Bijlage B: contactlijst")]
    story += [TocEntry(key, title, s.toc) for key, title in entries]
    story.append(PageBreak())
    return story


def _glance(report: Report, s: Styles) -> list[Flowable]:
    story = heading("In één oogopslag", s.h1, "glance", 0)
    story.append(figures([(report.participants_total, "deelnemers"),
                           (report.table_count, "tafels"),
                           (report.note_count, "notities"),
                           (report.agreement_count, "afspraken")], s))
    if report.draft_count:
        story.append(Spacer(1, 2 * mm))
        story.append(para(f"Nog in concept (niet meegeteld): {report.draft_count}.", s.muted))
    if report.agreements:
        story += subheading("Stand van zaken", s.h2)
        story += standing_figures(report.standing, s)
    story.append(para("Per thema", s.h2))
    rows = [[t.title, str(t.participants), str(len(t.table_numbers)), str(t.note_count),
             str(len(t.agreements))] for t in report.themes]
    unthemed = next((c.count for c in report.by_theme if c.label == "Nog geen thema"), 0)
    if unthemed:
        rows.append(["Nog geen thema gekozen", str(unthemed), "", "", ""])
    story.append(data_table(["Thema", "Deelnemers", "Tafels", "Notities", "Afspraken"], rows,
                            [70 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm], s,
                            numeric=(1, 2, 3, 4)))
    story.append(para("Per rol", s.h2))
    if report.by_role:
        story.append(data_table(["Rol", "Deelnemers"],
                                [[c.label, str(c.count)] for c in report.by_role],
                                [96 * mm, 26 * mm], s, numeric=(1,)))
    else:
        story.append(para("Er heeft zich nog niemand aangemeld.", s.body))
    story.append(PageBreak())
    return story


def _bullets(notes: Iterable[NoteRow], limit: int, s: Styles) -> list[Flowable]:
    notes = list(notes)
    story: list[Flowable] = []
    for note in notes[:limit]:
        votes = f"({texts.votes_label(note.votes)})" if note.votes else ""
        story.append(para_with_note(note.text, votes, s.bullet, bulletText="•"))
    if len(notes) > limit:
        story.append(para(f"… en nog {len(notes) - limit} (zie bijlage A).", s.muted))
    if not notes:
        story.append(para("Geen notities.", s.muted))
    return story


def agreement_cards(agreements: Iterable[AgreementRow], s: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    for a in agreements:
        story += [agreement_card(a, s), Spacer(1, 4 * mm)]
    return story


def _theme(report: Report, t: ThemeSection, index: int, s: Styles) -> list[Flowable]:
    story = heading(f"Thema: {t.title}", s.h1, f"theme-{index}", 0)
    if t.subject:
        story.append(para(t.subject, s.muted))
    if t.question:
        box = Table([[para(t.question, s.subtitle)]], colWidths=[CONTENT_WIDTH])
        box.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), s.body.fontName), ("BACKGROUND", (0, 0), (-1, -1), HEAD_BG),
                                 ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 8),
                                 ("TOPPADDING", (0, 0), (-1, -1), 6),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        story.append(KeepTogether([para("Centrale vraag", s.h3), box]))
    tables = ", ".join(str(n) for n in t.table_numbers) or "geen"
    story.append(para(f"{t.participants} deelnemers · tafels: {tables} · {t.note_count} "
                      f"notities · {len(t.agreements)} afspraken", s.muted))
    if t.key is not None and not (t.participants or t.note_count or t.agreements
                                  or t.draft_count):
        story.append(para("Niemand koos dit thema; er is hier dus niets besproken of "
                          "afgesproken.", s.body))
        story.append(PageBreak())
        return story
    # The confirmed groups stand in for the per-table lists of the rounds they cover.
    story += groups_section(t, s)
    if not t.grouped("happens"):
        story.append(para(texts.ROUND["happens"], s.h2))
        if not t.happens_by_table:
            story += _bullets((), HAPPENS_PER_TABLE, s)
        for table in t.happens_by_table:
            story.append(para(f"Tafel {table.table_number}", s.h3))
            story += _bullets(table.notes, HAPPENS_PER_TABLE, s)
    for key, notes in (("connect", t.connect), ("missing", t.missing)):
        if not t.grouped(key):
            story.append(para(texts.ROUND[key], s.h2))
            story += _bullets(notes, NOTES_PER_ROUND, s)
    story += subheading("Meeste stemmen", s.h2)
    if t.top_notes:
        story.append(data_table(
            ["Notitie", "Tafel", "Ronde", "Stemmen"],
            [[n.text, Plain(n.table_number), Plain(texts.ROUND_SHORT[n.round]), Plain(n.votes)]
             for n in t.top_notes],
            [112 * mm, 16 * mm, 28 * mm, 18 * mm], s, numeric=(1, 3)))
    else:
        story.append(para("Er is (nog) niet gestemd.", s.muted))
    story += subheading("Afspraken", s.h2)
    if t.agreements:
        story += agreement_cards(t.agreements, s)
    else:
        story.append(para("Bij dit thema zijn (nog) geen afspraken vastgelegd.", s.body))
    if t.draft_count:
        story.append(para(drafts_sentence(t.draft_count), s.body if not t.agreements
                          else s.muted))
    story.append(PageBreak())
    return story


def _action_list(report: Report, s: Styles) -> list[Flowable]:
    story = heading("Actielijst", s.h1, "actions", 0)
    story.append(para("Alle afspraken op datum, per maand: wat moet wanneer gebeuren, en wie "
                      "trekt het.", s.body))
    if not report.agreements:
        story.append(para("Er zijn (nog) geen afspraken vastgelegd.", s.body))
    for index, (month, agreements) in enumerate(groupby(
            report.action_list, key=lambda a: texts.month(a.due_date) or "Zonder datum")):
        story += heading(month, s.h2, f"actions-{index}", 1)
        rows = [[Plain(texts.short_date(a.due_date) or "–"), Plain(a.number), a.what,
                 owner_label(a), a.first_step, a.theme_title,
                 Plain(texts.STATUS.get(a.status, a.status))]
                for a in agreements]
        story.append(data_table(
            ["Wanneer", "#", "Afspraak", "Trekker", "Eerste stap", "Thema", "Status"], rows,
            [w * mm for w in (21, 9, 44, 32, 26, 20, 22)], s, numeric=(1,)))
    story.append(PageBreak())
    return story


def _network(report: Report, s: Styles) -> list[Flowable]:
    story = heading("Netwerk rond het kind", s.h1, "network", 0)
    story.append(para(
        "Welke organisaties zich aan welke afspraken verbonden: als trekker of als partner. "
        "De getallen per thema tellen de afspraken; de nummers verwijzen naar de actielijst.",
        s.body))
    if not report.network:
        story.append(para("Nog geen afspraken, dus nog geen netwerk.", s.body))
        story.append(PageBreak())
        return story
    story += network_figure(report.network_picture, s)
    theme_width = 18 * mm
    themes = [t.title for t in report.themes]
    rest = CONTENT_WIDTH - 46 * mm - theme_width * len(themes)
    rows = [[r.organisation, *[Plain(n or "") for n in r.per_theme],
             _numbers(r.owner_of), _numbers(r.partner_in)] for r in report.network]
    story.append(data_table(["Organisatie", *themes, "Trekker van", "Partner in"], rows,
                            [46 * mm, *[theme_width] * len(themes), rest / 2, rest / 2], s,
                            numeric=tuple(range(1, len(themes) + 1))))
    story.append(PageBreak())
    return story


def _numbers(numbers: tuple[int, ...]) -> str:
    return ", ".join(f"#{n}" for n in numbers)


def _appendix_notes(report: Report, s: Styles) -> list[Flowable]:
    story = heading("Bijlage A: alle notities", s.h1, "notes", 0)
    story.append(para("Alle zichtbare notities van de avond, anoniem, per thema, tafel en "
                      "ronde. Notities die de organisator verborg of die de schrijver "
                      "verwijderde, staan er niet in.", s.body))
    if not report.notes:
        story.append(para("Er zijn (nog) geen notities.", s.body))
    for index, t in enumerate(report.themes):
        notes = [n for n in report.notes if n.theme_key == t.key]
        if not notes:
            continue
        story += heading(t.title, s.h2, f"notes-{index}", 1)
        for number, table_notes in groupby(notes, key=lambda n: n.table_number):
            story += subheading(f"Tafel {number}", s.h3)
            story.append(data_table(
                ["Ronde", "Notitie", "Stemmen"],
                [[Plain(texts.ROUND_SHORT[n.round]), n.text, Plain(n.votes or "")]
                 for n in table_notes],
                [24 * mm, 132 * mm, 18 * mm], s, numeric=(2,)))
    story.append(PageBreak())
    return story


def _contacts(report: Report, s: Styles) -> list[Flowable]:
    story = heading("Bijlage B: contactlijst", s.h1, "contacts", 0)
    story.append(para("Alleen deelnemers die toestemming gaven om met hun e-mailadres in dit "
                      "rapport te staan.", s.body))
    if not report.contacts:
        story.append(para("Niemand gaf toestemming om in de contactlijst te staan.", s.body))
        return story
    rows = [[c.name, c.role_label, c.organisation, NoBreak(c.email), _numbers(c.owned)]
            for c in report.contacts]
    story.append(data_table(["Naam", "Rol", "Organisatie", "E-mail", "Trekker van"], rows,
                            [w * mm for w in (36, 30, 38, 48, 22)], s))
    return story
