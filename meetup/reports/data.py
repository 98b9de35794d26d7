"""Gather everything a report needs from the database into frozen dataclasses.

This module (with ``groups.py`` for the confirmed groups of notes) is the only part of
:mod:`meetup.reports` that reads the database. It returns plain,
immutable data (no ORM objects), so that the builders are pure functions that can be tested
without a database and that cannot lazy-load anything behind our back.

Privacy: only participants who gave ``email_consent`` are read by name (for the contact list).
Agreement owners appear with the name typed into the agreement, which is their public
commitment. Note authors and the people who signed on to an agreement are never read.
Only finalised agreements (not drafts, not deleted) count as agreements; drafts are only counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    Commitment,
    Meetup,
    Note,
    Participant,
    Table,
    Vote,
)
from meetup.models.agreement import name_key
from meetup.models.types import utcnow
from meetup.reports import collation, texts
from meetup.reports.comparison import Comparison, gather_comparison
from meetup.reports.groups import GroupRow, gather_groups
from meetup.reports.network import NetworkRow, organisation_network
from meetup.reports.network_layout import NetworkPicture, network_picture
from meetup.reports.rows import AgreementRow, NoteRow, Update
from meetup.reports.standing import Standing, standing

__all__ = ["ROUNDS", "AgreementRow", "Contact", "Count", "NoteRow", "Report", "TableNotes",
           "ThemeSection", "Update", "gather_report"]
from meetup.services import content

ROUNDS = ("happens", "connect", "missing")


@dataclass(frozen=True)
class TableNotes:
    table_number: int
    notes: tuple[NoteRow, ...]


@dataclass(frozen=True)
class ThemeSection:
    """Everything about one theme; ``key`` is None for agreements that lost their theme."""

    key: str | None
    title: str
    subject: str
    question: str
    participants: int
    table_numbers: tuple[int, ...]
    note_count: int
    #: Round 1 ("what already happens") per table, most votes first.
    happens_by_table: tuple[TableNotes, ...]
    connect: tuple[NoteRow, ...]
    missing: tuple[NoteRow, ...]
    top_notes: tuple[NoteRow, ...]
    agreements: tuple[AgreementRow, ...]
    #: Agreements of this theme still in draft (counted, never shown).
    draft_count: int = 0
    #: The groups of notes the organiser confirmed for the plenary (none if not confirmed).
    groups: tuple[GroupRow, ...] = ()
    #: The round the groups cover (None: all three); the section shows the groups instead of
    #: that round's notes (or all of them), and the appendix keeps every note per table.
    groups_round: str | None = None

    def grouped(self, round_: str) -> bool:
        """True when the groups stand in for ``round_``'s list of notes."""
        return bool(self.groups) and self.groups_round in (None, round_)


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class Contact:
    """A participant who consented to the contact list; ``owned`` are agreement numbers."""

    name: str
    role_label: str
    organisation: str
    email: str
    owned: tuple[int, ...]


@dataclass(frozen=True)
class Report:
    meetup_id: int
    title: str
    city: str
    venue: str
    starts_at: datetime | None
    organiser_name: str
    short_code: str
    phase: str
    generated_at: datetime
    participants_total: int
    by_role: tuple[Count, ...]
    by_theme: tuple[Count, ...]
    table_count: int
    note_count: int
    agreement_count: int
    draft_count: int
    themes: tuple[ThemeSection, ...]
    #: Every finalised agreement, in number order.
    agreements: tuple[AgreementRow, ...]
    #: Every visible note, by theme, table, round and votes.
    notes: tuple[NoteRow, ...]
    contacts: tuple[Contact, ...]
    network: tuple[NetworkRow, ...]
    #: "Wat werd er van de vorige afspraken?" (a meetup in a series), else None.
    comparison: Comparison | None = None

    @property
    def is_closed(self) -> bool:
        return self.phase == "closed"

    @cached_property
    def network_picture(self) -> NetworkPicture | None:
        """The network as a picture (None without organisations)."""
        return network_picture(tuple((t.key, t.title) for t in self.themes), self.agreements,
                               self.network)

    @property
    def standing(self) -> Standing:
        """The follow-up in figures (the "stand van zaken")."""
        return standing(self.agreements)

    @property
    def action_list(self) -> tuple[AgreementRow, ...]:
        """Every agreement by due date (undated last), then number."""
        return tuple(sorted(self.agreements,
                            key=lambda a: (a.due_date is None, a.due_date or date.max, a.number)))


def _clean(text: str | None) -> str:
    return (text or "").strip()


def gather_report(session: Session, meetup: Meetup, *, private: bool = False,
                  now: datetime | None = None) -> Report:
    """Read the meetup once and return its :class:`Report`.

    ``private=True`` keeps the owners' follow-up tokens (the organiser's own pages only);
    otherwise they are left empty so that no shared document can carry them.
    """
    themes = list(meetup.themes)
    theme_by_id = {t.id: t for t in themes}
    tables = list(session.execute(
        select(Table.id, Table.number, Table.theme_id).where(Table.meetup_id == meetup.id)
        .order_by(Table.number)))
    table_number = {row.id: row.number for row in tables}
    table_theme = {row.id: row.theme_id for row in tables}

    # Participants: counts only, never names.
    role_counts: dict[str, int] = defaultdict(int)
    theme_counts: dict[int | None, int] = defaultdict(int)
    for role, theme_id, n in session.execute(
        select(Participant.role, Participant.theme_id, func.count(Participant.id))
        .where(Participant.meetup_id == meetup.id)
        .group_by(Participant.role, Participant.theme_id)
    ):
        role_counts[role] += n
        theme_counts[theme_id] += n
    role_order = {key: i for i, key in enumerate(content.role_keys())}
    by_role = tuple(Count(content.role_label(role), n) for role, n in sorted(
        role_counts.items(), key=lambda item: (role_order.get(item[0], 99), item[0])))
    by_theme = [Count(t.title, theme_counts.get(t.id, 0)) for t in themes]
    if theme_counts.get(None):
        by_theme.append(Count("Nog geen thema", theme_counts[None]))

    notes = _gather_notes(session, meetup, theme_by_id, table_number, table_theme)
    agreements, drafts = _gather_agreements(session, meetup, themes, theme_by_id,
                                            table_number, table_theme, private)
    draft_count = sum(drafts.values())
    sections = _sections(themes, theme_counts, tables, notes, agreements, drafts)
    groups = gather_groups(session, meetup, notes)
    sections = tuple(replace(s, groups=groups[s.key].groups, groups_round=groups[s.key].round)
                     if s.key in groups else s for s in sections)
    return Report(
        meetup_id=meetup.id,
        title=meetup.title,
        city=meetup.city or "",
        venue=meetup.venue or "",
        starts_at=meetup.starts_at,
        organiser_name=(meetup.organiser.name or "") if meetup.organiser else "",
        short_code=meetup.short_code,
        phase=str(meetup.phase),
        generated_at=now or utcnow(),
        participants_total=sum(role_counts.values()),
        by_role=by_role,
        by_theme=tuple(by_theme),
        table_count=len(tables),
        note_count=len(notes),
        agreement_count=len(agreements),
        draft_count=draft_count,
        themes=sections,
        agreements=agreements,
        notes=notes,
        contacts=_gather_contacts(session, meetup, agreements),
        network=organisation_network(tuple(t.key for t in sections), agreements),
        comparison=gather_comparison(session, meetup, {a.id: a.number for a in agreements}),
    )


def _gather_notes(session: Session, meetup: Meetup, theme_by_id: dict, table_number: dict,
                  table_theme: dict) -> tuple[NoteRow, ...]:
    votes = dict(session.execute(
        select(Vote.note_id, func.count(Vote.id)).join(Note, Note.id == Vote.note_id)
        .where(Note.meetup_id == meetup.id).group_by(Vote.note_id)).all())
    rows = session.execute(
        select(Note.id, Note.table_id, Note.round, Note.text)
        .where(Note.meetup_id == meetup.id, Note.hidden.is_(False), Note.deleted_at.is_(None)))
    keyed = []
    for note_id, table_id, round_, text in rows:
        theme = theme_by_id.get(table_theme.get(table_id))
        note = NoteRow(
            id=note_id,
            theme_key=theme.key if theme else None,
            theme_title=theme.title if theme else texts.NO_THEME,
            table_number=table_number.get(table_id, 0),
            round=str(round_),
            text=_clean(text),
            votes=votes.get(note_id, 0),
        )
        keyed.append(((theme.position if theme else 999, note.table_number,
                       ROUNDS.index(note.round), -note.votes, note.id), note))
    keyed.sort(key=lambda pair: pair[0])
    return tuple(note for _key, note in keyed)


def _gather_agreements(session: Session, meetup: Meetup, themes: list, theme_by_id: dict,
                       table_number: dict, table_theme: dict,
                       private: bool) -> tuple[tuple[AgreementRow, ...], dict]:
    items = list(session.scalars(
        select(Agreement).where(Agreement.meetup_id == meetup.id,
                                Agreement.deleted_at.is_(None))))
    final = [a for a in items if a.status is not AgreementStatus.DRAFT]
    signed = dict(session.execute(
        select(Commitment.agreement_id, func.count(Commitment.id))
        .join(Agreement, Agreement.id == Commitment.agreement_id)
        .where(Agreement.meetup_id == meetup.id).group_by(Commitment.agreement_id)).all())
    updates: dict[int, list[Update]] = defaultdict(list)
    for upd in session.scalars(
        select(AgreementUpdate).join(Agreement, Agreement.id == AgreementUpdate.agreement_id)
        .where(Agreement.meetup_id == meetup.id).order_by(AgreementUpdate.id)
    ):
        updates[upd.agreement_id].append(
            Update(str(upd.status), _clean(upd.note), upd.source, upd.created_at))

    def theme_of(a: Agreement):
        theme_id = a.theme_id if a.theme_id in theme_by_id else table_theme.get(a.table_id)
        return theme_by_id.get(theme_id)

    def order(a: Agreement) -> tuple:
        theme = theme_of(a)
        number = table_number.get(a.table_id)
        return (theme.position if theme else 999, number is None, number or 0, a.id)

    rows = []
    for index, a in enumerate(sorted(final, key=order), start=1):
        theme = theme_of(a)
        rows.append(AgreementRow(
            id=a.id,
            number=index,
            theme_key=theme.key if theme else None,
            theme_title=theme.title if theme else texts.NO_THEME,
            table_number=table_number.get(a.table_id),
            what=_clean(a.what),
            owner_name=_clean(a.owner_name),
            owner_organisation=_clean(a.owner_organisation),
            partners=tuple(p.strip() for p in (a.partners or []) if p and p.strip()),
            first_step=_clean(a.first_step),
            due_date=a.due_date,
            success_measure=_clean(a.success_measure),
            status=str(a.status),
            signed_on=signed.get(a.id, 0),
            followup_token=a.followup_token if private else "",
            finalised_at=a.finalised_at,
            updated_at=a.updated_at,
            updates=tuple(updates.get(a.id, ())),
        ))
    drafts: dict[str | None, int] = defaultdict(int)
    for a in items:
        if a.status is AgreementStatus.DRAFT:
            theme = theme_of(a)
            drafts[theme.key if theme else None] += 1
    return tuple(rows), drafts


def _sections(themes: list, theme_counts: dict, tables: list, notes: tuple[NoteRow, ...],
              agreements: tuple[AgreementRow, ...],
              drafts: dict[str | None, int]) -> tuple[ThemeSection, ...]:
    sections = []
    keys: list[str | None] = [t.key for t in themes]
    if any(a.theme_key is None for a in agreements) or any(n.theme_key is None for n in notes):
        keys.append(None)
    by_key = {t.key: t for t in themes}
    for key in keys:
        theme = by_key.get(key) if key is not None else None
        theme_notes = [n for n in notes if n.theme_key == key]
        numbers = tuple(row.number for row in tables
                        if theme is not None and row.theme_id == theme.id)
        happens = []
        for number in numbers:
            table_notes = sorted((n for n in theme_notes
                                  if n.table_number == number and n.round == "happens"),
                                 key=lambda n: (-n.votes, n.id))
            happens.append(TableNotes(number, tuple(table_notes)))

        def by_votes(round_: str) -> tuple[NoteRow, ...]:
            return tuple(sorted((n for n in theme_notes if n.round == round_),
                                key=lambda n: (-n.votes, n.id)))

        top = tuple(sorted((n for n in theme_notes if n.votes > 0),
                           key=lambda n: (-n.votes, n.id))[:5])
        sections.append(ThemeSection(
            key=key,
            title=theme.title if theme else texts.NO_THEME,
            subject=(theme.subject or "") if theme else "",
            question=(theme.question or "") if theme else "",
            participants=theme_counts.get(theme.id, 0) if theme else 0,
            table_numbers=numbers,
            note_count=len(theme_notes),
            happens_by_table=tuple(happens),
            connect=by_votes("connect"),
            missing=by_votes("missing"),
            top_notes=top,
            agreements=tuple(a for a in agreements if a.theme_key == key),
            draft_count=drafts.get(key, 0),
        ))
    return tuple(sections)


def _gather_contacts(session: Session, meetup: Meetup,
                     agreements: tuple[AgreementRow, ...]) -> tuple[Contact, ...]:
    owned: dict[str, list[int]] = defaultdict(list)
    for a in agreements:
        if a.owner_name:
            owned[name_key(a.owner_name)].append(a.number)
    rows = session.execute(
        select(Participant.display_name, Participant.role, Participant.organisation,
               Participant.email)
        .where(Participant.meetup_id == meetup.id, Participant.email_consent.is_(True),
               Participant.email.is_not(None)))
    contacts = [
        Contact(name=_clean(name), role_label=content.role_label(role),
                organisation=_clean(organisation), email=_clean(email),
                owned=tuple(owned.get(name_key(name), ())))
        for name, role, organisation, email in rows if _clean(email)
    ]
    contacts.sort(key=lambda c: (collation.sort_key(c.name), c.email))
    return tuple(contacts)
