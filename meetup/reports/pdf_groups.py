"""A theme chapter's "Wat de tafels samen vonden": the groups of notes the organiser confirmed
for the plenary, each with its title, how many notes from which tables, and its notes with the
most votes. Every note stays in appendix A, per table."""

from __future__ import annotations

from reportlab.platypus import Flowable

from meetup.reports import texts
from meetup.reports.data import ThemeSection
from meetup.reports.pdf_base import Styles, para, para_with_note, subheading


def _counts(n_notes: int, tables: tuple[int, ...], votes: int) -> str:
    notes = "1 notitie" if n_notes == 1 else f"{n_notes} notities"
    where = f"tafel {tables[0]}" if len(tables) == 1 else \
        "tafels " + ", ".join(str(n) for n in tables)
    return f"{notes} van {where}" + (f" · {texts.votes_label(votes)}" if votes else "")


def groups_section(t: ThemeSection, s: Styles) -> list[Flowable]:
    """The section, or nothing when the theme has no confirmed groups."""
    if not t.groups:
        return []
    story = subheading("Wat de tafels samen vonden", s.h2)
    covers = ("alle rondes" if t.groups_round is None
              else f"de ronde ‘{texts.ROUND[t.groups_round]}’")
    story.append(para(f"De notities van {covers}, door de organisator in groepen gezet en "
                      f"bevestigd voor de plenaire ronde. Alle notities per tafel staan in "
                      f"bijlage A.", s.muted))
    for group in t.groups:
        story += subheading(group.title, s.h3)
        story.append(para(_counts(len(group.notes), group.table_numbers, group.votes), s.muted))
        for note in group.shown_notes:
            votes = f"({texts.votes_label(note.votes)})" if note.votes else ""
            story.append(para_with_note(note.text, votes, s.bullet, bulletText="•"))
        if group.more:
            story.append(para(f"… en nog {group.more} (zie bijlage A).", s.muted))
    return story
