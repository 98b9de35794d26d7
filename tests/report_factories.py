"""Build report test data straight through the models (the live-evening services are elsewhere).

Every helper adds to ``db.session`` and flushes; the caller commits when it wants to.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from meetup.extensions import db
from meetup.models import (
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    Commitment,
    Meetup,
    Note,
    Organiser,
    Participant,
    Phase,
    Round,
    Table,
    Vote,
)
from meetup.models.types import utcnow
from meetup.services import meetups, organisers

#: Names that need more than Latin-1; the report must print and extract them exactly.
UNICODE_NAMES = ("Şükrü Yılmaz", "Nguyễn Thị Hương", "Zoë de Vries", "Łukasz Nowak",
                 "Ørjan Håland")

#: The participant that casts votes when a note has no author; never consents.
VOTER_NAME = "Stemmer Zonder Toestemming"


def make_organiser(email: str = "org@example.org", name: str = "Olga Organisator") -> Organiser:
    organiser = organisers.create_organiser(db.session, email, "correct horse battery",
                                            name=name)
    db.session.flush()
    return organiser


def make_meetup(organiser: Organiser | None = None, **fields: Any) -> Meetup:
    fields.setdefault("title", "Meetup Hilversum")
    fields.setdefault("city", "Hilversum")
    fields.setdefault("venue", "Bibliotheek Hilversum")
    fields.setdefault("starts_at", datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    return meetups.create_meetup(db.session, organiser or make_organiser(), **fields)


def add_table(meetup: Meetup, theme_key: str, number: int) -> Table:
    table = Table(meetup=meetup, theme=meetup.theme_by_key(theme_key), number=number)
    db.session.add(table)
    db.session.flush()
    return table


def add_participant(meetup: Meetup, name: str, *, role: str = "leerkracht_po",
                    organisation: str = "OBS De Regenboog", email: str | None = None,
                    consent: bool = False, table: Table | None = None,
                    theme_key: str | None = None) -> Participant:
    theme = table.theme if table is not None else (
        meetup.theme_by_key(theme_key) if theme_key else None)
    participant = Participant(
        meetup=meetup, display_name=name, role=role, organisation=organisation,
        email=email, email_consent=consent, theme=theme, table=table,
        token_hash=secrets.token_hex(32))
    db.session.add(participant)
    db.session.flush()
    return participant


def add_note(table: Table, text: str, *, round: str = "happens",
             author: Participant | None = None, votes: int = 0, hidden: bool = False,
             deleted: bool = False) -> Note:
    note = Note(uuid=uuid.uuid4(), meetup_id=table.meetup_id, table=table, author=author,
                round=Round(round), text=text, hidden=hidden,
                hidden_at=utcnow() if hidden else None,
                deleted_at=utcnow() if deleted else None)
    db.session.add(note)
    db.session.flush()
    if votes:
        voter = author or db.session.scalar(
            select(Participant).where(Participant.table_id == table.id,
                                      Participant.display_name == VOTER_NAME)
        ) or add_participant(table.meetup, VOTER_NAME, table=table)
        for _ in range(votes):
            db.session.add(Vote(uuid=uuid.uuid4(), note=note, participant_id=voter.id))
        db.session.flush()
    return note


def add_agreement(meetup: Meetup, *, table: Table | None = None, theme_key: str | None = None,
                  what: str = "Voorleesouders op elke school", owner_name: str = "Anna Jansen",
                  owner_organisation: str = "Bibliotheek Hilversum",
                  partners: list[str] | None = None, first_step: str = "Rooster maken",
                  due_date: date | None = date(2027, 3, 1),
                  success_measure: str = "Elke klas heeft een voorleesouder",
                  status: str = "planned", signed_on: list[Participant] | None = None,
                  deleted: bool = False) -> Agreement:
    theme = table.theme if table is not None else (
        meetup.theme_by_key(theme_key) if theme_key else None)
    agreement = Agreement(
        uuid=uuid.uuid4(), meetup_id=meetup.id, table=table, theme=theme, what=what,
        owner_name=owner_name, owner_organisation=owner_organisation,
        partners=list(partners or []), first_step=first_step, due_date=due_date,
        success_measure=success_measure, status=AgreementStatus(status),
        followup_token=secrets.token_urlsafe(32),
        finalised_at=None if status == "draft" else utcnow(),
        deleted_at=utcnow() if deleted else None)
    db.session.add(agreement)
    db.session.flush()
    for participant in signed_on or []:
        db.session.add(Commitment(agreement=agreement, participant_id=participant.id))
    db.session.flush()
    return agreement


def add_update(agreement: Agreement, status: str, note: str = "",
               source: str = "owner") -> AgreementUpdate:
    update = AgreementUpdate(agreement=agreement, status=AgreementStatus(status), note=note,
                             source=source)
    agreement.status = AgreementStatus(status)
    db.session.add(update)
    db.session.flush()
    return update


@dataclass
class Evening:
    """A small but complete evening; the names tell which ones may appear in a report."""

    meetup: Meetup
    consenting: list[Participant] = field(default_factory=list)
    not_consenting: list[Participant] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    draft: Agreement | None = None
    deleted: Agreement | None = None
    hidden_note: Note | None = None
    deleted_note: Note | None = None


def make_evening(organiser: Organiser | None = None) -> Evening:
    """Two themes with tables, one theme nobody chose; Unicode names; consent mixed."""
    meetup = make_meetup(organiser)
    meetup.phase = Phase.CLOSED
    t1 = add_table(meetup, "taal", 1)
    t2 = add_table(meetup, "taal", 2)
    t3 = add_table(meetup, "overgangen", 3)
    evening = Evening(meetup)
    roles = ("leerkracht_po", "jeugdwerk", "ggd_jgz", "gemeente", "kinderopvang_vve")
    for i, name in enumerate(UNICODE_NAMES):
        evening.consenting.append(add_participant(
            meetup, name, role=roles[i], organisation=f"Organisatie {name.split()[0]}",
            email=f"persoon{i}@example.org", consent=True, table=(t1, t2, t3)[i % 3]))
    for name, table in (("Geheime Gerrit", t1), ("Verborgen Vera", t3)):
        evening.not_consenting.append(add_participant(
            meetup, name, role="docent_vo", organisation="Het Lyceum",
            email=f"{name.split()[0].lower()}@example.org", consent=False, table=table))
    add_note(t1, "Voorlezen in de bibliotheek op woensdag", votes=3,
             author=evening.not_consenting[0])
    add_note(t1, "Taalcafé voor ouders", votes=1)
    add_note(t2, "VVE-peuters krijgen een warme overdracht")
    add_note(t1, "Schoolbieb en gemeente stemmen af", round="connect", votes=2)
    add_note(t2, "Geen tolk bij oudergesprekken", round="missing", votes=4)
    add_note(t3, "Overdrachtsdossier PO-VO is te dun", round="missing")
    evening.hidden_note = add_note(t1, "VERBORGEN NOTITIE van de organisator", hidden=True)
    evening.deleted_note = add_note(t2, "VERWIJDERDE NOTITIE van de schrijver", deleted=True)
    ü, nguyen, zoe, lukasz, orjan = evening.consenting
    evening.agreements = [
        add_agreement(meetup, table=t1, what="Voorleesouders op elke basisschool",
                      owner_name="Şükrü Yılmaz", owner_organisation="Bibliotheek Gooi",
                      partners=["Bibliotheek", "Ouders / verzorgers"],
                      due_date=date(2027, 2, 1), signed_on=[ü, zoe]),
        add_agreement(meetup, table=t2, what="Tolk bij elk oudergesprek in groep 8",
                      owner_name="Nguyễn Thị Hương", owner_organisation="GGD Gooi",
                      partners=["Tolk / sleutelpersoon", "Bibliotheek"],
                      due_date=date(2027, 1, 15), signed_on=[nguyen]),
        add_agreement(meetup, table=t3, what="Warme overdracht PO-VO voor elk kind",
                      owner_name="Ørjan Håland", owner_organisation="Het Lyceum",
                      partners=["Leerplicht"], due_date=None),
        # The owner typed a name of someone who gave no consent: shown as the public owner.
        add_agreement(meetup, table=t3, what="Huiswerkklas in het buurthuis",
                      owner_name="Bert Buurthuis", owner_organisation="Buurthuis De Linde",
                      partners=[], due_date=date(2027, 6, 30), status="in_progress"),
    ]
    evening.draft = add_agreement(meetup, table=t1, what="CONCEPTAFSPRAAK nog niet af",
                                  owner_name="Concept Carla", status="draft")
    evening.deleted = add_agreement(meetup, table=t2, what="VERWIJDERDE AFSPRAAK",
                                    owner_name="Weg Wim", deleted=True)
    add_update(evening.agreements[0], "in_progress", "Eerste ouders gevonden")
    db.session.flush()
    return evening


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF (pypdf), whitespace collapsed so wrapped cells read as one line."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
