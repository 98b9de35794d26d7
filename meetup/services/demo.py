"""The demo (``meetup demo``, ``meetup seed-demo``): an organiser, an evening that already
happened and tonight's meetup that follows on from it.

Someone trying the product should see what it is for after the evening: the report of
agreements, the follow-up board, the series overview, the Terugblik. So an empty database
gets the demo organiser, an earlier evening about three months ago (closed; people at mixed
tables per theme, notes in the three rounds, dots, confirmed groups, nine final agreements
with follow-up news), and tonight's meetup made "als vervolg op" it with
:func:`meetup.services.series.create_follow_up`, exactly as an organiser makes one.

Everything goes through the services a real evening uses (joining, tables, board, groupings,
agreements, follow-up), so the data is valid by construction. The services stamp their own
rows with the current time; where they take a clock (the agreements' ``today``) the demo
passes the earlier evening's, and once the evening is played :func:`_date_back` moves its
rows' times to that evening (joins, notes, dots, agreements, signatures, groups, phases); the
follow-up reports are dated to the weeks after it, so the board reads like weeks of news. The people are fictional
(``meetup/content/demo_history.json``), with example.org addresses and no consent to reminder
mail: nothing is queued for them. Callers commit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    Commitment,
    Grouping,
    Meetup,
    Note,
    Organiser,
    Participant,
    Phase,
    Table,
    Vote,
)
from meetup.models.types import utcnow
from meetup.services import (
    agreements,
    board,
    followup,
    groupings,
    joining,
    meetups,
    organisers,
    phases,
    series,
    tables,
)
from meetup.services.joining import JoinRequest

DEMO_FILE = Path(__file__).resolve().parent.parent / "content" / "demo_history.json"
DEMO_EMAIL = "organisator@example.org"
DEMO_NAME = "Demo organisator"
#: Tonight's meetup starts this long after the demo is seeded.
TONIGHT_IN = timedelta(days=7)
TONIGHT_AT = time(18, 30)
ROUND_PHASES = {"happens": Phase.ROUND_1, "connect": Phase.ROUND_2, "missing": Phase.ROUND_3}


@dataclass(frozen=True)
class DemoSeed:
    """What :func:`seed` made; the password is shown once. ``earlier`` is None when it was
    seeded without the history."""

    email: str
    password: str
    earlier: Meetup | None
    tonight: Meetup


@cache
def story() -> dict[str, Any]:
    """The demo's people, notes and agreements (data, not code)."""
    with DEMO_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def seed(session: Session, now: datetime | None = None, *,
         history: bool = True) -> DemoSeed | None:
    """Seed the demo when the database holds no meetup; None when it holds one already.

    ``history=False`` (a venue laptop, ``meetup venue``, where tonight is a real evening):
    only the organiser and tonight's meetup, no fictional earlier evening to follow on from."""
    if session.scalar(select(func.count(Meetup.id))):
        return None
    now = now or utcnow()
    password = organisers.generate_password()
    organiser = session.scalar(select(Organiser).where(Organiser.email == DEMO_EMAIL))
    if organiser is None:
        organiser = organisers.create_organiser(session, DEMO_EMAIL, password, name=DEMO_NAME)
    else:
        organiser.set_password(password)
    data = story()
    tonight_day = meetups.utc_to_local(now + TONIGHT_IN)[0]
    if not history:
        tonight = meetups.create_meetup(
            session, organiser, title=data["tonight"]["title"], city=data["tonight"]["city"],
            venue=data["tonight"]["venue"],
            starts_at=meetups.local_to_utc(tonight_day, TONIGHT_AT))
        session.flush()
        return DemoSeed(DEMO_EMAIL, password, None, tonight)
    earlier = earlier_evening(session, organiser, now)
    tonight = series.create_follow_up(
        session, organiser, earlier, title=data["tonight"]["title"],
        city=data["tonight"]["city"], venue=data["tonight"]["venue"],
        starts_at=meetups.local_to_utc(tonight_day, TONIGHT_AT),
        series_name=data["series_name"])
    session.flush()
    return DemoSeed(DEMO_EMAIL, password, earlier, tonight)


def earlier_evening(session: Session, organiser: Organiser, now: datetime) -> Meetup:
    """The closed earlier evening, played phase by phase as the organiser would run it."""
    data = story()
    about = data["earlier"]
    day = meetups.utc_to_local(now)[0] - timedelta(days=about["days_ago"])
    meetup = meetups.create_meetup(
        session, organiser, title=about["title"], city=about["city"], venue=about["venue"],
        starts_at=meetups.local_to_utc(day, time.fromisoformat(about["local_time"])),
        table_size=4, votes_per_person=4, organiser_digest=False)
    people = _join(session, meetup, organiser, data["participants"])
    _brainstorm(session, meetup, organiser, people, data["notes"])
    made = _agree(session, meetup, organiser, people, data["agreements"], day)
    phases.set_phase(session, meetup, Phase.PLENARY, organiser)
    phases.set_phase(session, meetup, Phase.CLOSED, organiser)
    assert meetup.starts_at is not None
    _date_back(session, meetup, meetup.starts_at)
    _follow_up(session, made, data["agreements"], now)
    return meetup


def _date_back(session: Session, meetup: Meetup, evening: datetime) -> None:
    """Move the played evening's times to the evening itself: joins at the start, notes
    and dots in the first hour and a half, agreements and signatures after that, groups
    and the closing at the end (the services stamped them "now")."""
    session.flush()
    people = select(Participant.id).where(Participant.meetup_id == meetup.id)
    notes = select(Note.id).where(Note.meetup_id == meetup.id)
    written = evening + timedelta(minutes=40)
    agreed = evening + timedelta(hours=1, minutes=45)
    closed = evening + timedelta(hours=2, minutes=30)
    for statement in (
        update(Participant).where(Participant.meetup_id == meetup.id)
        .values(joined_at=evening - timedelta(minutes=10), last_seen_at=closed),
        update(Note).where(Note.meetup_id == meetup.id)
        .values(created_at=written, updated_at=written),
        update(Vote).where(Vote.note_id.in_(notes))
        .values(created_at=evening + timedelta(hours=1, minutes=15)),
        update(Agreement).where(Agreement.meetup_id == meetup.id)
        .values(created_at=agreed, updated_at=agreed, finalised_at=agreed),
        update(Commitment).where(Commitment.participant_id.in_(people))
        .values(created_at=agreed),
        update(Grouping).where(Grouping.meetup_id == meetup.id)
        .values(confirmed_at=closed, updated_at=closed),
        update(Meetup).where(Meetup.id == meetup.id)
        .values(phase_changed_at=closed, created_at=evening - timedelta(days=21),
                updated_at=closed),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()


def _join(session: Session, meetup: Meetup, organiser: Organiser,
          rows: list[list[Any]]) -> dict[str, Participant]:
    phases.set_phase(session, meetup, Phase.REGISTRATION, organiser)
    people: dict[str, Participant] = {}
    for name, role, organisation, _theme, listed in rows:
        email = ".".join(name.lower().replace("'", "").split()) + "@example.org"
        person, _ = joining.join(session, meetup, JoinRequest(
            name, role, organisation, email=email, email_consent=bool(listed)))
        people[name] = person
    phases.set_phase(session, meetup, Phase.THEME_CHOICE, organiser)
    for name, _role, _organisation, theme, _listed in rows:
        joining.choose_theme(session, people[name], theme)
    phases.set_phase(session, meetup, Phase.TABLES, organiser)
    tables.form_tables(session, meetup, organiser)
    return people


def _theme_tables(meetup: Meetup, key: str) -> list[Table]:
    theme = meetup.theme_by_key(key)
    assert theme is not None
    return sorted((t for t in meetup.tables if t.theme_id == theme.id), key=lambda t: t.number)


def _members(people: dict[str, Participant], table: Table) -> list[Participant]:
    return sorted((p for p in people.values() if p.table_id == table.id), key=lambda p: p.id)


def _brainstorm(session: Session, meetup: Meetup, organiser: Organiser,
                people: dict[str, Participant], notes: dict[str, list[list[Any]]]) -> None:
    """Notes in the three rounds, dots from their own table, confirmed groups per theme."""
    written: list[tuple[str, Any, Participant, str, int]] = []
    for round_key, phase in ROUND_PHASES.items():
        phases.set_phase(session, meetup, phase, organiser)
        for key, rows in notes.items():
            theme_tables = _theme_tables(meetup, key)
            for index, (note_round, text, group, dots) in enumerate(rows):
                if note_round != round_key:
                    continue
                members = _members(people, theme_tables[index % len(theme_tables)])
                author = members[(index // len(theme_tables)) % len(members)]
                note = board.create_note(session, author, uuid.uuid4(), note_round, text)
                written.append((key, note, author, group, dots))
    phases.set_phase(session, meetup, Phase.VOTING, organiser)
    for _key, note, author, _title, dots in written:
        voters = _members(people, author.table)
        for turn in range(dots):
            for voter in voters[turn:] + voters[:turn]:
                if board.votes_left(session, voter):
                    board.add_vote(session, voter, uuid.uuid4(), note.uuid)
                    break
    for key in notes:
        theme_notes = [(note.id, title) for k, note, _a, title, _d in written if k == key]
        _confirmed_groups(session, meetup, key, theme_notes)


def _confirmed_groups(session: Session, meetup: Meetup, key: str,
                      notes: list[tuple[int, str]]) -> None:
    """The organiser's groups of a theme, arranged by hand and confirmed."""
    theme = meetup.theme_by_key(key)
    assert theme is not None
    titles = list(dict.fromkeys(title for _id, title in notes))
    groupings.arrange(session, meetup, theme.id,
                      [(title, [i for i, t in notes if t == title]) for title in titles])
    groupings.confirm(session, meetup, theme.id)


def _agree(session: Session, meetup: Meetup, organiser: Organiser,
           people: dict[str, Participant], rows: list[dict[str, Any]],
           day: date) -> list[Agreement]:
    """Each owner writes their agreement at their own table; table mates sign on."""
    phases.set_phase(session, meetup, Phase.AGREEMENTS, organiser)
    made = []
    for row in rows:
        owner = people[row["owner"]]
        draft = agreements.create_draft(session, owner, uuid.uuid4())
        agreements.update_agreement(session, owner, draft.uuid, {
            "what": row["what"], "owner": owner.id, "partners": row["partners"],
            "first_step": row["first_step"],
            "due_date": (day + timedelta(days=row["due_in_days"])).isoformat(),
            "success_measure": row["success_measure"]}, today=day)
        final = agreements.finalise(session, owner, draft.uuid)
        mates = [p for p in _members(people, owner.table) if p.id != owner.id]
        for mate in mates[:row["signers"]]:
            agreements.sign(session, mate, final.uuid)
        made.append(final)
    return made


def _follow_up(session: Session, made: list[Agreement], rows: list[dict[str, Any]],
               now: datetime) -> None:
    """The owners' news since the evening, dated back to when they reported it."""
    for agreement, row in zip(made, rows, strict=True):
        for status, note, days_ago in row["updates"]:
            update = followup.record_update(session, agreement, status, note,
                                            first_word=True)
            update.created_at = now - timedelta(days=days_ago)
    session.flush()
