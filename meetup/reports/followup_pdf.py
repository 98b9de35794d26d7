"""The follow-up PDF "Stand van zaken": the status and history of every agreement.

First the figures (gerealiseerd, bezig, gepland, gestopt, nog geen bericht) and the date of the
latest report, then every agreement in a table with its status and latest report, then per
agreement its card and every report its owner (or the organiser for them) made.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from meetup.reports import texts
from meetup.reports.cards import agreement_card, owner_label
from meetup.reports.data import AgreementRow, Report
from meetup.reports.pdf_base import (
    Styles,
    data_table,
    heading,
    make_styles,
    para,
)
from meetup.reports.pdf_doc import page_furniture, render
from meetup.reports.pdf_standing import NO_WORD, standing_figures
from meetup.reports.standing import ORDER


def build_followup_pdf(report: Report, today: date | None = None) -> bytes:
    """The "Stand van zaken" PDF as bytes."""
    return build_followup_pdf_with_pages(report, today)[0]


def build_followup_pdf_with_pages(report: Report,
                                  today: date | None = None) -> tuple[bytes, int]:
    today = today or report.generated_at.astimezone(texts.TIMEZONE).date()
    s = make_styles()
    story: list[Flowable] = []
    story += heading("Stand van zaken", s.h1, "summary", 0)
    story.append(para(report.title, s.title))
    place = ", ".join(p for p in (report.city, texts.long_date(report.starts_at)) if p)
    if place:
        story.append(para(place, s.subtitle))
    story.append(para(f"Stand op {texts.local_time(report.generated_at)}. Trekkers melden de "
                      "voortgang van hun afspraak via een persoonlijke link.", s.muted))
    story.append(para(texts.PRIVACY, s.body))
    story += _summary(report, today, s)
    story.append(PageBreak())
    story += heading("Per afspraak", s.h1, "history", 0)
    if not report.agreements:
        story.append(para("Er zijn (nog) geen afspraken vastgelegd.", s.body))
    for a in report.action_list:
        story += _agreement(a, today, s)
    furniture = page_furniture(header_left=f"{report.title} · Stand van zaken",
                               header_right=report.city, footer_left=texts.PRIVACY_SHORT)
    return render(story, title=f"Stand van zaken {report.title}",
                  author=report.organiser_name or "Meetup Kansenongelijkheid",
                  subject=f"Opvolging van de afspraken van {report.title}",
                  furniture=furniture)


def is_overdue(a: AgreementRow, today: date) -> bool:
    return a.due_date is not None and a.due_date < today and a.status in ("planned",
                                                                           "in_progress")


def _summary(report: Report, today: date, s: Styles) -> list[Flowable]:
    standing = report.standing
    rows = [[texts.STATUS[key].capitalize(), str(standing.count(key))] for key in ORDER]
    overdue = sum(1 for a in report.agreements if is_overdue(a, today))
    rows.append(["Totaal", str(standing.total)])
    rows.append([f"{NO_WORD.capitalize()} van de trekker", str(standing.no_word)])
    rows.append(["Datum verstreken, nog niet klaar", str(overdue)])
    story: list[Flowable] = [*standing_figures(standing, s),
                             para("Overzicht", s.h2),
                             data_table(["Status", "Afspraken"], rows, [80 * mm, 26 * mm], s,
                                        numeric=(1,))]
    if report.agreements:
        story.append(para("Alle afspraken", s.h2))
        story.append(data_table(
            ["#", "Afspraak", "Trekker", "Wanneer", "Status", "Laatste melding"],
            [[str(a.number), a.what, owner_label(a), texts.short_date(a.due_date),
              _status_text(a, today),
              texts.short_date(a.last_update.created_at.astimezone(texts.TIMEZONE).date())
              if a.last_update else NO_WORD]
             for a in report.action_list],
            [w * mm for w in (8, 62, 38, 18, 24, 24)], s, numeric=(0,)))
    return story


def _status_text(a: AgreementRow, today: date) -> str:
    label = texts.STATUS.get(a.status, a.status)
    return f"{label} (datum verstreken)" if is_overdue(a, today) else label


def _last_report(a: AgreementRow) -> str:
    last = a.last_update
    return texts.local_time(last.created_at) if last else f"{NO_WORD} van de trekker"


def _agreement(a: AgreementRow, today: date, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [agreement_card(a, s, extra=[("Status", _status_text(a, today)),
                                                         ("Laatste melding", _last_report(a))]),
                             Spacer(1, 2 * mm)]
    if a.updates:
        story.append(data_table(
            ["Datum", "Status", "Door", "Toelichting"],
            [[texts.local_time(u.created_at), texts.STATUS.get(u.status, u.status),
              texts.SOURCE.get(u.source, u.source), u.note] for u in a.updates],
            [w * mm for w in (28, 22, 22, 102)], s))
    else:
        story.append(para("Nog geen meldingen van de trekker.", s.muted))
    story.append(Spacer(1, 4 * mm))
    return story
